import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import { canSeeClient, seesFleet } from '../../auth/scope.js';
import type { AuthUser } from '../../auth/sessions.js';
import type { HubContext } from '../../context.js';
import { HelpService } from '../../onboarding/help.js';
import { WelcomeService } from '../../onboarding/welcome.js';
import { checkRoutes } from './checks.js';
import { helpRoutes } from './help.js';
import { welcomeRoutes } from './welcome.js';

/** The scope of the onboarding agent's token: answer help questions, run checks, send welcome mails. */
export const HELP_SCOPE = 'onboarding:help';

/** What the onboarding help routes share: the services and who may call what. */
export interface HelpDeps {
  ctx: HubContext;
  help: HelpService;
  welcome: WelcomeService;
  /** The client a call is about: a client user's own (another client's is a 404); an operator names it. */
  target(u: AuthUser, clientId?: string): string;
  /** The onboarding agent's token (scope `onboarding:help`), or an admin/support operator. */
  requireHelper(u: AuthUser): void;
}

/**
 * The onboarding help chat, the checks the onboarding agent runs for a client, and the welcome
 * mail sequence (see hub/README.md, Onboarding help).
 */
export const onboardingHelpRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const deps: HelpDeps = {
    ctx,
    help: new HelpService(ctx.db, () => ctx.fleet.live),
    welcome: new WelcomeService(ctx.db, ctx.mailer, ctx.key.privateKeyPem, ctx.config.publicUrl),
    target(u, clientId) {
      if (seesFleet(u)) {
        if (!clientId) throw new HttpError(400, HUB_ERR.VALIDATION, 'clientId is required for operators');
        return clientId;
      }
      // A partner user names one of its clients; a client user its own (or none).
      const own = clientId ?? u.clientId ?? undefined;
      if (!own || !canSeeClient(u, own)) throw notFound('client');
      return own;
    },
    requireHelper(u) {
      const ok = u.scopes ? u.scopes.includes(HELP_SCOPE) : u.role === 'admin' || u.role === 'support';
      if (!ok)
        throw new HttpError(403, HUB_ERR.SCOPE, `only the onboarding agent (scope ${HELP_SCOPE}) or an operator`);
    },
  };
  app.addHook('preClose', async () => deps.help.close());
  await app.register(helpRoutes, deps);
  await app.register(checkRoutes, deps);
  await app.register(welcomeRoutes, deps);
};
