import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../auth/errors.js';
import { IMAGE_KINDS, type ImageKind } from '../../brands/images.js';
import { POWERED_BY } from '../../brands/mail.js';
import type { HubContext } from '../../context.js';

const publicBrand = z.object({
  productName: z.string(),
  primaryColor: z.string(),
  accentColor: z.string(),
  primaryForeground: z.string(),
  accentForeground: z.string(),
  supportEmail: z.string().nullable(),
  /** The line to show under the product ("Powered by Deep Signal"), or null. */
  poweredBy: z.string().nullable(),
  logoUrl: z.string().nullable(),
  faviconUrl: z.string().nullable(),
});

/**
 * The brand of the host the request came to, for the dashboard's pages before and after login:
 * a verified partner domain gets its partner's, any other host Deep Signal's. Public (the login
 * page needs it) and carries nothing a visitor of that domain could not see on the page anyway.
 * The Host header only picks which public brand to show; it never builds a link.
 */
export const publicBrandRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  app.get(
    '/brand',
    { config: { public: true }, schema: { tags: ['partners'], security: [], response: { 200: publicBrand } } },
    async (req, reply) => {
      const b = await ctx.brands.forHost(req.headers.host);
      reply.header('cache-control', 'no-cache').header('vary', 'Host');
      return {
        productName: b.productName,
        primaryColor: b.primaryColor,
        accentColor: b.accentColor,
        primaryForeground: b.primaryForeground,
        accentForeground: b.accentForeground,
        supportEmail: b.supportEmail,
        poweredBy: b.poweredBy ? POWERED_BY : null,
        logoUrl: b.hasLogo ? '/api/v1/brand/logo' : null,
        faviconUrl: b.hasFavicon ? '/api/v1/brand/favicon' : null,
      };
    },
  );

  for (const kind of IMAGE_KINDS) {
    app.get(
      `/brand/${kind}`,
      { config: { public: true }, schema: { tags: ['partners'], security: [] } },
      async (req, reply) => {
        const b = await ctx.brands.forHost(req.headers.host);
        const img = b.partnerId ? await ctx.brands.image(b.partnerId, kind as ImageKind) : null;
        if (!img) throw notFound(kind);
        return reply
          .header('content-type', img.contentType)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'")
          .header('cache-control', 'no-cache')
          .header('vary', 'Host')
          .send(img.data);
      },
    );
  }
};
