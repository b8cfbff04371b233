import type { SidecarConfig } from '../config.js';
import type { Logger } from '../log.js';
import { openclawConfigPath, readOpenclawConfig, tokenFromConfig } from './config-file.js';
import { GatewayClient } from './gateway-client.js';

/** The real gateway client for a config: token from DS_OPENCLAW_TOKEN or the OpenClaw config. */
export function createGatewayClient(config: SidecarConfig, log: Logger): GatewayClient {
  const file = openclawConfigPath(config.openclawConfig);
  return new GatewayClient({
    url: config.openclawUrl,
    token: () => config.openclawToken ?? tokenFromConfig(readOpenclawConfig(file)),
    log,
  });
}
