import type { Mail, Mailer } from '../security/mailer.js';
import { type Brand, type Brands, DEFAULT_PRODUCT } from './brand.js';

const PRODUCT_NAME = /Deep ?Signal/gi;
export const POWERED_BY = `Powered by ${DEFAULT_PRODUCT}`;

/** `Name <a@b>` or `a@b` -> `a@b`. */
const addressOf = (from: string) => (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
/** A display name in quotes, so a comma or angle bracket in a product name cannot add a recipient. */
const displayName = (name: string) => `"${name.replace(/["\\\r\n]/g, '')}"`;

/**
 * A mail as a partner's client receives it: the partner's product name wherever the text names
 * Deep Signal, its sender name and address, its support address to reply to, links on its
 * verified domain instead of DS_PUBLIC_URL, and the "powered by" line only if the partner keeps it.
 */
export function brandMail(m: Mail, brand: Brand, publicUrl: string | undefined, defaultFrom: string): Mail {
  const base = publicUrl?.replace(/\/+$/, '');
  const rewrite = (s: string) => {
    let out = s.replace(PRODUCT_NAME, brand.productName);
    if (base && brand.linkBase) out = out.split(base).join(brand.linkBase);
    return out;
  };
  const footer = [
    brand.supportEmail ? `Questions? Write to ${brand.supportEmail}.` : '',
    brand.poweredBy ? POWERED_BY : '',
  ].filter(Boolean);
  const text = rewrite(m.text).trimEnd() + (footer.length ? `\n\n--\n${footer.join('\n')}\n` : '\n');
  const address = brand.mailFromAddress ?? addressOf(m.from ?? defaultFrom);
  return {
    ...m,
    subject: rewrite(m.subject),
    text,
    html: m.html === undefined ? undefined : rewrite(m.html),
    from: `${displayName(brand.mailFromName ?? brand.productName)} <${address}>`,
    replyTo: m.replyTo ?? brand.supportEmail ?? undefined,
  };
}

/**
 * Every mail the hub sends passes here: a mail to a partner's client (by `clientId`, else by its
 * recipients) goes out in that partner's brand; all others unchanged. A brand look-up that fails
 * fails the mail rather than sending Deep Signal's name to a white-label client.
 */
export function brandedMailer(
  inner: Mailer,
  brands: Brands,
  publicUrl: string | undefined,
  defaultFrom: string,
): Mailer {
  return {
    async send(m) {
      const brand = m.clientId ? await brands.forClient(m.clientId) : await brands.forRecipients(m.to);
      await inner.send(brand.partnerId ? brandMail(m, brand, publicUrl, defaultFrom) : m);
    },
  };
}
