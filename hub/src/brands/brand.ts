import type { Db } from '../db/index.js';
import { textOn } from './colors.js';
import type { ImageKind } from './images.js';

/** What a partner sets (PUT …/brand). */
export interface BrandInput {
  productName: string;
  primaryColor: string;
  accentColor: string;
  supportEmail: string | null;
  mailFromName: string | null;
  mailFromAddress: string | null;
  invoiceHeader: string;
  invoiceFooter: string;
  poweredBy: boolean;
}

/** A brand as the hub applies it: a partner's, or Deep Signal's own (`partnerId` null). */
export interface Brand extends BrandInput {
  partnerId: string | null;
  /** Label colours written on the brand colours (the more readable of light and black). */
  primaryForeground: string;
  accentForeground: string;
  hasLogo: boolean;
  hasFavicon: boolean;
  /** `https://<first verified domain>`: the base of links in this brand's mails (null: DS_PUBLIC_URL). */
  linkBase: string | null;
}

export const DEFAULT_PRODUCT = 'Deep Signal';

/** Deep Signal's own look (dashboard/app/globals.css); it needs no "powered by" line. */
export const DEFAULT_BRAND: Brand = {
  partnerId: null,
  productName: DEFAULT_PRODUCT,
  primaryColor: '#1a365d',
  accentColor: '#0891b2',
  primaryForeground: '#f8fafc',
  accentForeground: '#f8fafc',
  supportEmail: null,
  mailFromName: null,
  mailFromAddress: null,
  invoiceHeader: '',
  invoiceFooter: '',
  poweredBy: false,
  hasLogo: false,
  hasFavicon: false,
  linkBase: null,
};

interface Row {
  partner_id: string;
  product_name: string;
  primary_color: string;
  accent_color: string;
  support_email: string | null;
  mail_from_name: string | null;
  mail_from_address: string | null;
  invoice_header: string;
  invoice_footer: string;
  powered_by: boolean;
  images: string[] | null;
  domain: string | null;
}

/** The brand columns, the kinds of image uploaded and the first verified domain, in one row. */
const SELECT = `SELECT b.*,
  (SELECT array_agg(i.kind) FROM partner_brand_images i WHERE i.partner_id = b.partner_id) AS images,
  (SELECT d.domain FROM partner_domains d WHERE d.partner_id = b.partner_id AND d.status = 'verified'
    ORDER BY d.verified_at, d.domain LIMIT 1) AS domain
  FROM partner_brands b`;

function view(r: Row): Brand {
  const images = r.images ?? [];
  return {
    partnerId: r.partner_id,
    productName: r.product_name,
    primaryColor: r.primary_color,
    accentColor: r.accent_color,
    primaryForeground: textOn(r.primary_color),
    accentForeground: textOn(r.accent_color),
    supportEmail: r.support_email,
    mailFromName: r.mail_from_name,
    mailFromAddress: r.mail_from_address,
    invoiceHeader: r.invoice_header,
    invoiceFooter: r.invoice_footer,
    poweredBy: r.powered_by,
    hasLogo: images.includes('logo'),
    hasFavicon: images.includes('favicon'),
    linkBase: r.domain ? `https://${r.domain}` : null,
  };
}

/**
 * Partner brands (tables partner_brands, partner_brand_images) and the look-ups that decide which
 * brand a screen, a mail or an invoice gets: by partner, by client, by recipient, by host.
 */
export class Brands {
  constructor(private readonly db: Db) {}

  async partnerExists(partnerId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM partners WHERE id = $1', [partnerId])).length > 0;
  }

  /** The partner's own brand row, or null when it has none yet. */
  async get(partnerId: string): Promise<Brand | null> {
    const rows = await this.db.query<Row>(`${SELECT} WHERE b.partner_id = $1`, [partnerId]);
    return rows[0] ? view(rows[0]) : null;
  }

  async put(partnerId: string, b: BrandInput): Promise<Brand> {
    await this.db.query(
      `INSERT INTO partner_brands (partner_id, product_name, primary_color, accent_color, support_email,
         mail_from_name, mail_from_address, invoice_header, invoice_footer, powered_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (partner_id) DO UPDATE SET product_name = $2, primary_color = $3, accent_color = $4,
         support_email = $5, mail_from_name = $6, mail_from_address = $7, invoice_header = $8,
         invoice_footer = $9, powered_by = $10, updated_at = now()`,
      [
        partnerId,
        b.productName,
        b.primaryColor.toLowerCase(),
        b.accentColor.toLowerCase(),
        b.supportEmail,
        b.mailFromName,
        b.mailFromAddress,
        b.invoiceHeader,
        b.invoiceFooter,
        b.poweredBy,
      ],
    );
    return (await this.get(partnerId)) as Brand;
  }

  async putImage(partnerId: string, kind: ImageKind, contentType: string, data: Buffer): Promise<void> {
    await this.db.query(
      `INSERT INTO partner_brand_images (partner_id, kind, content_type, size, data) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (partner_id, kind) DO UPDATE SET content_type = $3, size = $4, data = $5, updated_at = now()`,
      [partnerId, kind, contentType, data.length, data],
    );
  }

  async image(partnerId: string, kind: ImageKind): Promise<{ contentType: string; data: Buffer } | null> {
    const rows = await this.db.query<{ content_type: string; data: Uint8Array }>(
      'SELECT content_type, data FROM partner_brand_images WHERE partner_id = $1 AND kind = $2',
      [partnerId, kind],
    );
    const r = rows[0];
    return r ? { contentType: r.content_type, data: Buffer.from(r.data) } : null;
  }

  /** The brand to apply for a partner (its own once set, else Deep Signal's). */
  async forPartner(partnerId: string | null | undefined): Promise<Brand> {
    return (partnerId && (await this.get(partnerId))) || DEFAULT_BRAND;
  }

  async forClient(clientId: string): Promise<Brand> {
    const rows = await this.db.query<{ partner_id: string | null }>('SELECT partner_id FROM clients WHERE id = $1', [
      clientId,
    ]);
    return this.forPartner(rows[0]?.partner_id);
  }

  /**
   * The brand of a verified partner domain; Deep Signal's for any other host (an unverified
   * domain, the hub's own address, a header someone made up).
   */
  async forHost(host: string | undefined): Promise<Brand> {
    const name = hostName(host);
    if (!name) return DEFAULT_BRAND;
    const rows = await this.db.query<{ partner_id: string }>(
      "SELECT partner_id FROM partner_domains WHERE domain = $1 AND status = 'verified'",
      [name],
    );
    return this.forPartner(rows[0]?.partner_id);
  }

  /**
   * The brand of a mail's recipients: the partner of the first recipient who is a partner's client
   * user, partner user or a partner client's billing contact; Deep Signal's for everyone else.
   */
  async forRecipients(to: string): Promise<Brand> {
    const emails = to
      .split(',')
      .map((s) => (/<([^>]+)>/.exec(s)?.[1] ?? s).trim().toLowerCase())
      .filter(Boolean);
    if (!emails.length) return DEFAULT_BRAND;
    const rows = await this.db.query<{ partner_id: string }>(
      `SELECT COALESCE(u.partner_id, c.partner_id) AS partner_id FROM users u
         LEFT JOIN clients c ON c.id = u.client_id
         WHERE lower(u.email) = ANY($1) AND COALESCE(u.partner_id, c.partner_id) IS NOT NULL
       UNION ALL
       SELECT c.partner_id FROM client_billing b JOIN clients c ON c.id = b.client_id
         WHERE lower(b.billing_email) = ANY($1) AND c.partner_id IS NOT NULL
       LIMIT 1`,
      [emails],
    );
    return this.forPartner(rows[0]?.partner_id);
  }
}

/** `Agents.Acme.test:8080` -> `agents.acme.test`; IPv6 literals and garbage -> null. */
export function hostName(host: string | undefined): string | null {
  if (!host || host.startsWith('[')) return null;
  const name = host.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
  return /^[a-z0-9.-]{1,253}$/.test(name) ? name : null;
}
