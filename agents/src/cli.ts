import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { billingCommand } from './billing/command.js';
import { learningCommand } from './learning/command.js';
import { orchestratorCommand } from './orchestrator/command.js';
import { securityCommand } from './security/command.js';
import { SettingsError } from './settings.js';
import { supportCommand } from './support/command.js';

const HELP = `Usage: npm run agent -- <agent> [flags]

Deep Signal ops agents. They use only the hub's HTTP API, with a service account's API token.

Agents:
  orchestrator   watch the fleet: restart a down OpenClaw once, report disk/memory/offline findings
  support        triage open support requests with the instance's health and error lines
  security       versions against advisories, key ages, access log, anomalies (findings and proposals)
  billing        review invoices before they go out (holds), invoice run, reminders, cost suggestions
  learning       conversations: unanswered, handed-off, negative, repeated questions; persona proposals, A/B winners

Run \`npm run agent -- <agent> --help\` for its settings.`;

/** Runs the CLI; returns the exit code (2: bad settings). */
export async function main(argv: string[], env = process.env): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(`${HELP}\n`);
      return sub ? 0 : 2;
    }
    if (sub === 'orchestrator') {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return await orchestratorCommand(rest, env, undefined, ac.signal);
    }
    if (sub === 'support') return await supportCommand(rest, env);
    if (sub === 'security') return await securityCommand(rest, env);
    if (sub === 'billing') return await billingCommand(rest, env);
    if (sub === 'learning') return await learningCommand(rest, env);
    throw new SettingsError(
      `unknown agent "${sub}" (orchestrator, support, security, billing or learning; --help lists them)`,
    );
  } catch (e) {
    if (e instanceof SettingsError) {
      process.stderr.write(`agent: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`agent: ${(e as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
