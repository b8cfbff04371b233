import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { RUNNABLE, type RunnerConfig, runAgents } from './run.js';

/** What the hub writes on the runner's stdin (one JSON document; tokens never go in argv or env). */
const configSchema = z
  .object({
    hubUrl: z.url(),
    agents: z
      .array(
        z.object({
          name: z.enum(Object.keys(RUNNABLE) as [keyof typeof RUNNABLE]),
          token: z.string().min(8),
          expiresAt: z.iso.datetime({ offset: true }),
          intervalSec: z.number().min(1).max(86_400),
        }),
      )
      .min(1),
    stateDir: z.string().optional(),
    llm: z
      .object({ apiKey: z.string().optional(), baseUrl: z.string().optional(), model: z.string() })
      .nullable()
      .optional(),
  })
  .strict();

async function readStdin(): Promise<string> {
  let s = '';
  for await (const chunk of process.stdin) s += chunk;
  return s;
}

/** The agents' own process started by the hub (`npm start`): reads its settings from stdin. */
export async function main(): Promise<number> {
  let cfg: RunnerConfig;
  try {
    cfg = configSchema.parse(JSON.parse(await readStdin()));
  } catch (e) {
    process.stderr.write(`agents: bad runner settings on stdin: ${(e as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  process.once('SIGTERM', () => ac.abort());
  process.stdout.write(`agents: running ${cfg.agents.map((a) => `${a.name} every ${a.intervalSec} s`).join(', ')}\n`);
  return runAgents(cfg, ac.signal, (s) => process.stdout.write(`${s}\n`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then((code) => process.exit(code));
}
