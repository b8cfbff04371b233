import { openclawConfigPath, readOpenclawConfig } from '../openclaw/config-file.js';
import { getConfig } from '../openclaw/ops.js';
import { redactObject } from '../openclaw/redact.js';
import type { CommandHandler } from './types.js';

/** `config.get`: the gateway's config (or the file when the gateway is down), every secret redacted. */
export const configGet: CommandHandler = async (ctx) => {
  const gw = ctx.gateway;
  if (gw?.connected) {
    const { config, hash } = await getConfig(gw);
    return { config: redactObject(config) as Record<string, unknown>, hash };
  }
  const file = readOpenclawConfig(openclawConfigPath(ctx.config.openclawConfig));
  if (!file) throw new Error('OpenClaw config not found and the gateway is not reachable');
  return { config: redactObject(file) as Record<string, unknown>, hash: null };
};
