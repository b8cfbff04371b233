import { HttpError, HUB_ERR } from '../auth/errors.js';
import type { HubContext } from '../context.js';

/** Where servers download the sidecar bundle from the hub (routes/deployments/downloads.ts). */
export const SIDECAR_BUNDLE_PATH = '/deploy/sidecar.mjs';

/**
 * `sidecar.update` as the hub issues it. Without `url`, the hub fills `url` and `sha256` with the
 * bundle it serves itself, so the signed command carries the checksum the sidecar checks; the
 * version asked for must then be that bundle's. With a `url` the caller gives its `sha256` too
 * (the sidecar refuses a bundle without one). Asking an instance for the version it already runs
 * is refused; a rollout (`instanceId` null) leaves that to each sidecar.
 */
export async function withSidecarBundle(
  ctx: Pick<HubContext, 'db' | 'deployments'>,
  instanceId: string | null,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { version, url, sha256 } = params as { version: string; url?: string; sha256?: string };
  if (url && !sha256)
    throw new HttpError(
      400,
      HUB_ERR.BAD_PARAMS,
      'sidecar.update with a url needs its sha256: the sidecar refuses one without',
    );
  if (!url && sha256)
    throw new HttpError(
      400,
      HUB_ERR.BAD_PARAMS,
      "sidecar.update: give url and sha256 together, or neither for the hub's bundle",
    );
  const rows = instanceId
    ? await ctx.db.query<{ sidecar_version: string | null }>('SELECT sidecar_version FROM instances WHERE id = $1', [
        instanceId,
      ])
    : [];
  if (rows[0]?.sidecar_version === version)
    throw new HttpError(409, HUB_ERR.CONFLICT, `the instance already runs sidecar ${version}`);
  if (url) return params;
  const deploy = ctx.deployments;
  if (!deploy) throw new HttpError(503, HUB_ERR.UNAVAILABLE, 'this hub serves no sidecar bundle');
  let bundle: Awaited<ReturnType<typeof deploy.artifacts.sidecarBundle>>;
  try {
    bundle = await deploy.artifacts.sidecarBundle();
  } catch (e) {
    throw new HttpError(503, HUB_ERR.UNAVAILABLE, `the hub's sidecar bundle is not available: ${(e as Error).message}`);
  }
  if (!bundle.version) throw new HttpError(503, HUB_ERR.UNAVAILABLE, "the hub's sidecar bundle names no version");
  if (bundle.version !== version)
    throw new HttpError(
      400,
      HUB_ERR.BAD_PARAMS,
      `this hub serves sidecar ${bundle.version}, not ${version}; ask for ${bundle.version}, or give the url and sha256 of ${version}`,
    );
  return { ...params, url: `${deploy.hubHttpUrl()}${SIDECAR_BUNDLE_PATH}`, sha256: bundle.sha256 };
}
