import { type OpenclawGateway, startOpenclawGateway } from '../../../sidecar/test/fixtures/openclaw-gateway.js';
import type { GatewayStarter } from '../../src/testing/vps-sim.js';

/**
 * For `VpsSimulator.openclaw`: a REAL OpenClaw gateway (Node 24, pinned openclaw) per simulated
 * server, run with the openclaw.json its user data writes. Servers here have no internet, so the
 * OpenRouter provider a client picks at onboarding is pointed at the local fake model server with
 * the same model id (`anthropic/claude-haiku-4.5`): the hub's real config.apply (model, sealed
 * key) is used as is and the answer comes from the gateway.
 */
export function realGatewayStarter(started: OpenclawGateway[] = []): GatewayStarter {
  return async ({ config }) => {
    const gw = await startOpenclawGateway({
      config,
      readyTimeoutMs: 240_000,
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
