import { boolean, customType, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { partners } from './partners.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/**
 * A partner's white-label brand: what its clients see instead of Deep Signal on screens, in mails
 * and on invoices. One row per partner; a partner without a row shows the default brand.
 */
export const partnerBrands = pgTable('partner_brands', {
  partnerId: text('partner_id')
    .primaryKey()
    .references(() => partners.id, { onDelete: 'cascade' }),
  productName: text('product_name').notNull(),
  /** `#rrggbb`, checked for readable contrast when saved. */
  primaryColor: text('primary_color').notNull(),
  accentColor: text('accent_color').notNull(),
  supportEmail: text('support_email'),
  mailFromName: text('mail_from_name'),
  mailFromAddress: text('mail_from_address'),
  invoiceHeader: text('invoice_header').notNull().default(''),
  invoiceFooter: text('invoice_footer').notNull().default(''),
  /** The "powered by Deep Signal" line on screens, mails and invoices; the partner may turn it off. */
  poweredBy: boolean('powered_by').notNull().default(true),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** A brand's uploaded images (`logo`, `favicon`), type- and size-checked, served by the hub. */
export const partnerBrandImages = pgTable(
  'partner_brand_images',
  {
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    data: bytea('data').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.kind] })],
);

/**
 * Custom domains a partner serves its clients on. A domain is branded only once `verified`
 * (a DNS TXT record or a well-known file carrying the token); a domain belongs to one partner.
 */
export const partnerDomains = pgTable(
  'partner_domains',
  {
    domain: text('domain').notNull(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    token: text('token').notNull(),
    status: text('status').notNull().default('pending'),
    /** `dns` or `http`: which proof was found. */
    verifiedBy: text('verified_by'),
    verifiedAt: ts('verified_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('partner_domains_domain_idx').on(t.domain)],
);
