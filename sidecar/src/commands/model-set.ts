import { getConfig, modelOf, patchConfig } from '../openclaw/ops.js';
import { requireGateway } from './gateway.js';
import type { CommandHandler } from './types.js';

/** `model.set`: `config.patch` of agents.defaults.model (applied live by OpenClaw, no restart). */
export const modelSet: CommandHandler = async (ctx) => {
  const gw = await requireGateway(ctx);
  const { model, fallbacks } = ctx.params as { model: string; fallbacks?: string[] };
  const previous = modelOf((await getConfig(gw)).config);
  await patchConfig(gw, { agents: { defaults: { model: { primary: model, ...(fallbacks ? { fallbacks } : {}) } } } });
  const now = modelOf((await getConfig(gw)).config);
  return { model: now ?? model, previous };
};
