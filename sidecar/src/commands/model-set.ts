import { guardedChange } from '../changes/guarded.js';
import { getConfig, modelOf, patchConfig } from '../openclaw/ops.js';
import { requireGateway } from './gateway.js';
import type { CommandHandler } from './types.js';

/**
 * `model.set`: `config.patch` of agents.defaults.model (applied live by OpenClaw, no restart), as
 * a guarded change: a model that cannot answer the canary is rolled back. [SPEC 6.8]
 */
export const modelSet: CommandHandler = (ctx) =>
  guardedChange(ctx, async () => {
    const gw = await requireGateway(ctx);
    const { model, fallbacks } = ctx.params as { model: string; fallbacks?: string[] };
    const previous = modelOf((await getConfig(gw)).config);
    await patchConfig(gw, {
      agents: { defaults: { model: { primary: model, ...(fallbacks ? { fallbacks } : {}) } } },
    });
    const now = modelOf((await getConfig(gw)).config);
    return { model: now ?? model, previous };
  });
