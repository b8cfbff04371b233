import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type OpenclawGateway, startOpenclawGateway } from '../../../sidecar/test/fixtures/openclaw-gateway.js';
import type { GatewayStarter } from '../../src/testing/vps-sim.js';

/**
 * For `VpsSimulator.openclaw`: a REAL OpenClaw gateway (Node 24, pinned openclaw) per simulated
 * server, run with the openclaw.json its user data writes. Servers here have no internet, so the
 * OpenRouter provider a client picks at onboarding is pointed at the local fake model server with
 * the same model id (`anthropic/claude-haiku-4.5`): the hub's real config.apply (model, sealed
 * key) is used as is and the answer comes from the gateway. Supervised like the server's systemd
 * unit: started again 5 s after it exits.
 */
export function realGatewayStarter(started: OpenclawGateway[] = []): GatewayStarter {
  return async ({ config }) => {
    const gw = await startOpenclawGateway({
      config,
      readyTimeoutMs: 240_000,
      // As the server's unit (Restart=always): OpenClaw leaves some failures to its supervisor.
      supervise: true,
      providers: (baseUrl) => ({
        openrouter: {
          baseUrl,
          api: 'openai-completions',
          apiKey: 'replaced-by-config-apply',
          models: [
            {
              id: 'anthropic/claude-haiku-4.5',
              name: 'Claude Haiku 4.5',
              contextWindow: 200000,
              maxTokens: 4096,
              input: ['text'],
              cost: { input: 1, output: 5, cacheRead: 0, cacheWrite: 0 },
              reasoning: false,
            },
          ],
        },
      }),
    });
    started.push(gw);
    return { wsUrl: gw.wsUrl, configPath: gw.configPath, logDir: gw.logDir, stop: () => gw.stop() };
  };
}

/**
 * A gateway's JSON-lines log (tslog shape) as one readable line per entry: time, level,
 * subsystem, message. For the diagnostics of a failed test.
 */
export function gatewayLogText(dir: string): string {
  let files: string[];
  try {
    files = readdirSync(dir).sort();
  } catch {
    return `(no gateway log in ${dir})`;
  }
  const lines: string[] = [`# ${dir}`];
  for (const f of files) {
    for (const raw of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      if (!raw.trim()) continue;
      try {
        const j = JSON.parse(raw) as Record<string, unknown> & { time?: string; _meta?: { logLevelName?: string } };
        const parts = ['0', '1', '2']
          .filter((k) => k in j)
          .map((k) => (typeof j[k] === 'string' ? j[k] : JSON.stringify(j[k])));
        lines.push(`${j.time ?? ''} ${j._meta?.logLevelName ?? ''} ${parts.join(' ').slice(0, 600)}`);
      } catch {
        lines.push(raw.slice(0, 600));
      }
    }
  }
  return lines.join('\n');
}
