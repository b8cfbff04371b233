import type { FastifyPluginAsync } from 'fastify';
import { HttpError, HUB_ERR } from '../../auth/errors.js';
import type { HubContext } from '../../context.js';
import { SIDECAR_BUNDLE_PATH } from '../../deploy/sidecar-update.js';

/**
 * What a new server fetches from the hub over the tailnet while it bootstraps: the sidecar
 * bundle and its installer. Public (neither is secret; the user data holds their sha256, which
 * the server checks) and outside /api/v1, as plain downloads.
 */
export const deployDownloadRoutes: FastifyPluginAsync<{ ctx: HubContext }> = async (app, { ctx }) => {
  const svc = () => {
    if (!ctx.deployments) throw new HttpError(503, HUB_ERR.UNAVAILABLE, 'deployments are not running on this hub');
    return ctx.deployments;
  };
  app.get(SIDECAR_BUNDLE_PATH, { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const a = await svc().artifacts.sidecarBundle();
    return reply.type('text/javascript').header('x-content-sha256', a.sha256).send(a.body);
  });
  app.get('/deploy/install.sh', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const a = svc().artifacts.installer();
    return reply.type('text/x-shellscript').header('x-content-sha256', a.sha256).send(a.body);
  });
};
