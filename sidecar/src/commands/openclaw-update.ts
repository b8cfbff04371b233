import { openclawCliVersion, runOpenclawUpdate } from '../changes/cli-update.js';
import { guardedChange } from '../changes/guarded.js';
import { restartGateway } from '../changes/restart.js';
import type { CommandHandler } from './types.js';

/**
 * `openclaw.update`: `openclaw update --yes --tag <version>` as a guarded change (snapshot, health
 * check, rollback to the version before); the version before and after from the gateway's hello
 * and `--version`.
 */
export const openclawUpdate: CommandHandler = (ctx) =>
  guardedChange(ctx, async () => {
    const { version } = ctx.params as { version: string };
    const from = ctx.gateway?.hello?.version ?? null;
    const output = await runOpenclawUpdate(ctx, version);
    const to = await openclawCliVersion(ctx.config.openclawBin);
    // The health check must see the new version running, not the old one still in memory (a
    // gateway that is not running starts on the new version by itself).
    if (to && ctx.gateway?.connected && ctx.gateway.hello?.version !== to) await restartGateway(ctx);
    return { from, to, output };
  });
