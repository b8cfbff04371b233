import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, HUB_ERR } from '../../auth/errors.js';
import { requireUser } from '../../auth/plugin.js';
import type { Brand } from '../../brands/brand.js';
import { contrastProblem } from '../../brands/colors.js';
import { checkImage, IMAGE_KINDS, IMAGE_LIMITS, type ImageKind } from '../../brands/images.js';
import { audit } from '../../commands/audit.js';
import type { HubContext } from '../../context.js';
import { errorSchema } from '../schemas.js';
import { assertPartnerAccess } from './access.js';

export const partnerParams = z.object({ partnerId: z.string().min(1).max(64) });

const oneLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\r\n<>"]*$/, 'one line without < > or "');
const email = z.email({ error: 'an e-mail address, e.g. support@example.com' });

const brandBody = z.object({
  productName: oneLine(60),
  primaryColor: z.string(),
  accentColor: z.string(),
  supportEmail: email.nullable().default(null),
  mailFromName: oneLine(60).nullable().default(null),
  mailFromAddress: email.nullable().default(null),
  invoiceHeader: z.string().max(500).default(''),
  invoiceFooter: z.string().max(500).default(''),
  poweredBy: z.boolean().default(true),
});

export const brandView = z.object({
  partnerId: z.string().nullable(),
  productName: z.string(),
  primaryColor: z.string(),
  accentColor: z.string(),
  primaryForeground: z.string(),
  accentForeground: z.string(),
  supportEmail: z.string().nullable(),
  mailFromName: z.string().nullable(),
  mailFromAddress: z.string().nullable(),
  invoiceHeader: z.string(),
  invoiceFooter: z.string(),
  poweredBy: z.boolean(),
  hasLogo: z.boolean(),
  hasFavicon: z.boolean(),
  linkBase: z.string().nullable(),
});

const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 413: errorSchema, 415: errorSchema };

/**
 * A partner's brand: `GET/PUT /partners/:partnerId/brand` and its images, uploaded raw
 * (`PUT …/brand/logo` with `content-type: image/png`), checked by their first bytes.
 */
export const partnerBrandRoutes: FastifyPluginAsyncZod<{ ctx: HubContext }> = async (app, { ctx }) => {
  const refuse = (reason: string, status: number, message: string) => {
    ctx.stats.brandRefusals.inc({ reason });
    return new HttpError(status, HUB_ERR.VALIDATION, message);
  };

  app.get(
    '/partners/:partnerId/brand',
    { schema: { tags: ['partners'], params: partnerParams, response: { 200: brandView, ...errors } } },
    async (req): Promise<Brand> => {
      await assertPartnerAccess(ctx, requireUser(req), req.params.partnerId, 'read');
      return ctx.brands.forPartner(req.params.partnerId);
    },
  );

  app.put(
    '/partners/:partnerId/brand',
    { schema: { tags: ['partners'], params: partnerParams, body: brandBody, response: { 200: brandView, ...errors } } },
    async (req) => {
      const u = requireUser(req);
      await assertPartnerAccess(ctx, u, req.params.partnerId, 'write');
      for (const field of ['primaryColor', 'accentColor'] as const) {
        const problem = contrastProblem(field, req.body[field]);
        if (problem) throw refuse('contrast', 400, problem);
      }
      const brand = await ctx.brands.put(req.params.partnerId, req.body);
      await audit(ctx.db, `user:${u.id}`, 'partner.brand', req.params.partnerId, null, {
        productName: brand.productName,
        poweredBy: brand.poweredBy,
      });
      return brand;
    },
  );

  // Images come as the raw body; the declared type only has to be an image, the bytes decide.
  app.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: IMAGE_LIMITS.logo.maxBytes }, (_r, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: IMAGE_LIMITS.logo.maxBytes },
    (_r, body, done) => done(null, body),
  );
  for (const kind of IMAGE_KINDS) {
    app.put(
      `/partners/:partnerId/brand/${kind}`,
      {
        bodyLimit: IMAGE_LIMITS[kind].maxBytes,
        schema: { tags: ['partners'], params: partnerParams, response: { 200: brandView, ...errors } },
      },
      async (req) => {
        const u = requireUser(req);
        await assertPartnerAccess(ctx, u, req.params.partnerId, 'write');
        if (!Buffer.isBuffer(req.body))
          throw refuse(
            'image_type',
            415,
            `send the ${kind} as the request body with content-type image/png or similar`,
          );
        const checked = checkImage(kind as ImageKind, req.body);
        if ('problem' in checked) throw refuse('image', checked.tooLarge ? 413 : 400, checked.problem);
        if (!(await ctx.brands.get(req.params.partnerId)))
          throw refuse('image_without_brand', 400, `set the brand (PUT /partners/${req.params.partnerId}/brand) first`);
        await ctx.brands.putImage(req.params.partnerId, kind as ImageKind, checked.type, req.body);
        await audit(ctx.db, `user:${u.id}`, `partner.brand_${kind}`, req.params.partnerId, null, {
          type: checked.type,
          size: req.body.length,
        });
        return ctx.brands.forPartner(req.params.partnerId);
      },
    );
  }
};
