import { COLLECTORS } from '../../src/collectors/registry.js';
import { type OpenclawGateway, startOpenclawGateway } from '../fixtures/openclaw-gateway.js';
import { type MiniHub, startMiniHub } from './mini-hub.js';
import { startTestSidecar, type TestSidecar } from './sidecar.js';

export interface RealGatewayEnv {
  gw: OpenclawGateway;
  hub: MiniHub;
  t: TestSidecar;
}

/**
 * A real OpenClaw gateway, a mini hub, and a sidecar with the real collectors attached to the
 * gateway (its token read from the OpenClaw config, as on a client's server).
 */
export async function startRealGatewayEnv(
  id: string,
  extra: Partial<Record<string, unknown>> = {},
  gatewayOpts: Parameters<typeof startOpenclawGateway>[0] = {},
): Promise<RealGatewayEnv> {
  const [gw, hub] = await Promise.all([startOpenclawGateway(gatewayOpts), startMiniHub({ [id]: 'pw' })]);
  const t = await startTestSidecar(
    hub.url,
    id,
    'pw',
    { openclawUrl: gw.wsUrl, openclawConfig: gw.configPath, openclawLogDir: gw.logDir, openclawPollMs: 1000, ...extra },
    { collectors: COLLECTORS, gateway: undefined },
  );
  return { gw, hub, t };
}

export async function stopRealGatewayEnv(env: Partial<RealGatewayEnv>): Promise<void> {
  await env.t?.cleanup();
  await env.hub?.close();
  await env.gw?.stop();
}
