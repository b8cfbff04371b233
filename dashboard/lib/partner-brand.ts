/**
 * A partner's brand and custom domains as their admin edits them (`/partners/:id/brand`,
 * `/partners/:id/domains`). The public brand of the host a page is on is lib/brand.tsx.
 */
import { api } from './api';

/** `GET /partners/:id/brand`: the partner's brand, or Deep Signal's defaults until it sets one. */
export interface PartnerBrand {
  partnerId: string | null;
  productName: string;
  primaryColor: string;
  accentColor: string;
  primaryForeground: string;
  accentForeground: string;
  supportEmail: string | null;
  mailFromName: string | null;
  mailFromAddress: string | null;
  invoiceHeader: string;
  invoiceFooter: string;
  poweredBy: boolean;
  hasLogo: boolean;
  hasFavicon: boolean;
  linkBase: string | null;
}

/** What the form edits: every field `PUT /partners/:id/brand` takes, as text for the inputs. */
export interface BrandDraft {
  productName: string;
  primaryColor: string;
  accentColor: string;
  supportEmail: string;
  mailFromName: string;
  mailFromAddress: string;
  invoiceHeader: string;
  invoiceFooter: string;
  poweredBy: boolean;
}
export type BrandField = keyof BrandDraft;
export const BRAND_FIELDS = [
  'productName',
  'primaryColor',
  'accentColor',
  'supportEmail',
  'mailFromName',
  'mailFromAddress',
  'invoiceHeader',
  'invoiceFooter',
  'poweredBy',
] as const satisfies readonly BrandField[];

export function draftOf(b: PartnerBrand): BrandDraft {
  return {
    productName: b.productName,
    primaryColor: b.primaryColor,
    accentColor: b.accentColor,
    supportEmail: b.supportEmail ?? '',
    mailFromName: b.mailFromName ?? '',
    mailFromAddress: b.mailFromAddress ?? '',
    invoiceHeader: b.invoiceHeader,
    invoiceFooter: b.invoiceFooter,
    poweredBy: b.poweredBy,
  };
}

/** The request body: empty optional lines are "not set" (null), as the hub expects. */
export function bodyOf(d: BrandDraft) {
  const orNull = (s: string) => (s.trim() ? s.trim() : null);
  return {
    productName: d.productName.trim(),
    primaryColor: d.primaryColor.trim(),
    accentColor: d.accentColor.trim(),
    supportEmail: orNull(d.supportEmail),
    mailFromName: orNull(d.mailFromName),
    mailFromAddress: orNull(d.mailFromAddress),
    invoiceHeader: d.invoiceHeader,
    invoiceFooter: d.invoiceFooter,
    poweredBy: d.poweredBy,
  };
}

/**
 * Splits the hub's refusal into messages per field, so each shows at its input: schema errors
 * read `body: /supportEmail an e-mail address…; /productName …`, the contrast check
 * `primaryColor #ffee00: text … below 4.5:1`. What names no field is returned under `form`.
 */
export function fieldErrors(message: string): { fields: Partial<Record<BrandField, string>>; form: string | null } {
  const fields: Partial<Record<BrandField, string>> = {};
  const rest: string[] = [];
  for (const part of message.replace(/^body:\s*/, '').split('; ')) {
    const m = /^\/?([A-Za-z]+)\b:?\s*(.*)$/.exec(part);
    const field = BRAND_FIELDS.find((f) => f === m?.[1]);
    if (field && m) fields[field] = fields[field] ? `${fields[field]}; ${m[2]}` : m[2];
    else rest.push(part);
  }
  return { fields, form: rest.length ? message : null };
}

/** `GET /partners/:id/domains`: a custom domain and how to prove it is the partner's. */
export interface DomainClaim {
  domain: string;
  status: 'pending' | 'verified';
  /** The TXT record's name (`_deepsignal.<domain>`) … */
  txtName: string;
  /** … and what it (or the well-known file) must contain. */
  token: string;
  wellKnownUrl: string;
  verifiedBy: 'dns' | 'http' | null;
  verifiedAt: string | null;
  createdAt: string;
}

const base = (partnerId: string) => `/partners/${encodeURIComponent(partnerId)}`;

export const brandPath = (partnerId: string) => `${base(partnerId)}/brand`;
export const domainsPath = (partnerId: string) => `${base(partnerId)}/domains`;

export const saveBrand = (partnerId: string, d: BrandDraft) =>
  api<PartnerBrand>(brandPath(partnerId), { method: 'PUT', body: bodyOf(d) });

/** Uploads the logo or favicon as the raw body; the hub checks the bytes, not the name. */
export const uploadBrandImage = (partnerId: string, kind: 'logo' | 'favicon', file: Blob) =>
  api<PartnerBrand>(`${brandPath(partnerId)}/${kind}`, { method: 'PUT', body: file });

export const addDomain = (partnerId: string, domain: string) =>
  api<DomainClaim>(domainsPath(partnerId), { body: { domain: domain.trim().toLowerCase() } });

export const verifyDomain = (partnerId: string, domain: string) =>
  api<DomainClaim>(`${domainsPath(partnerId)}/${encodeURIComponent(domain)}/verify`, { method: 'POST' });

export const removeDomain = (partnerId: string, domain: string) =>
  api<null>(`${domainsPath(partnerId)}/${encodeURIComponent(domain)}`, { method: 'DELETE' });
