import { randomBytes } from 'node:crypto';
import { HttpError, HUB_ERR, notFound } from '../auth/errors.js';
import type { Db } from '../db/index.js';
import type { TxtLookup } from '../routes/sso/domain-claims.js';

/** The TXT record (`_deepsignal.<domain>`) and the file (`http://<domain>/.well-known/…`) that carry the token. */
export const TXT_LABEL = '_deepsignal';
export const WELL_KNOWN_PATH = '/.well-known/deepsignal-verify';
const TOKEN_PREFIX = 'deepsignal-domain=';

export interface PartnerDomain {
  domain: string;
  status: 'pending' | 'verified';
  txtName: string;
  /** What the TXT record or the well-known file must contain. */
  token: string;
  wellKnownUrl: string;
  verifiedBy: 'dns' | 'http' | null;
  verifiedAt: string | null;
  createdAt: string;
}

interface Row {
  domain: string;
  token: string;
  status: string;
  verified_by: string | null;
  verified_at: Date | string | null;
  created_at: Date | string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function view(r: Row): PartnerDomain {
  return {
    domain: r.domain,
    status: r.status === 'verified' ? 'verified' : 'pending',
    txtName: `${TXT_LABEL}.${r.domain}`,
    token: `${TOKEN_PREFIX}${r.token}`,
    wellKnownUrl: `http://${r.domain}${WELL_KNOWN_PATH}`,
    verifiedBy: (r.verified_by as PartnerDomain['verifiedBy']) ?? null,
    verifiedAt: iso(r.verified_at),
    createdAt: iso(r.created_at) as string,
  };
}

/** DS_PARTNER_DOMAINS as patterns: `*.example.com` matches names below example.com, not itself. */
export function domainAllowed(domain: string, allowlist: string | undefined): boolean {
  const d = domain.toLowerCase();
  return (allowlist ?? '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean)
    .some((p) => (p.startsWith('*.') ? d.endsWith(p.slice(1)) && d.length > p.length - 1 : d === p));
}

/** Fetches the well-known file of a domain; the body as text, or throws with a reason. */
export type WellKnownFetch = (domain: string) => Promise<string>;

/**
 * Custom domains of partners (table partner_domains). Adding one gives a token; the domain is
 * verified when the hub finds the token in `_deepsignal.<domain>` TXT or in the well-known file.
 * A domain belongs to one partner (pending or verified), so nobody can squat another's.
 */
export class PartnerDomains {
  constructor(
    private readonly db: Db,
    private readonly allowlist: string | undefined,
    private readonly txt: TxtLookup,
    private readonly wellKnown: WellKnownFetch,
  ) {}

  private async row(partnerId: string, domain: string): Promise<Row | undefined> {
    return (
      await this.db.query<Row>('SELECT * FROM partner_domains WHERE partner_id = $1 AND domain = $2', [
        partnerId,
        domain.toLowerCase(),
      ])
    )[0];
  }

  async list(partnerId: string): Promise<PartnerDomain[]> {
    const rows = await this.db.query<Row>('SELECT * FROM partner_domains WHERE partner_id = $1 ORDER BY domain', [
      partnerId,
    ]);
    return rows.map(view);
  }

  /** Adds a domain (or returns the partner's existing entry); 422 off the allowlist, 409 if another partner has it. */
  async add(partnerId: string, domain: string): Promise<{ domain: PartnerDomain; created: boolean }> {
    const d = domain.toLowerCase();
    if (!domainAllowed(d, this.allowlist))
      throw new HttpError(
        422,
        HUB_ERR.VALIDATION,
        this.allowlist
          ? `${d} is not among the domains partners may use (DS_PARTNER_DOMAINS: ${this.allowlist})`
          : 'custom domains are off: the operator has set no DS_PARTNER_DOMAINS',
      );
    const mine = await this.row(partnerId, d);
    if (mine) return { domain: view(mine), created: false };
    const rows = await this.db.query<Row>(
      `INSERT INTO partner_domains (domain, partner_id, token) VALUES ($1,$2,$3)
       ON CONFLICT (domain) DO NOTHING RETURNING *`,
      [d, partnerId, randomBytes(18).toString('base64url')],
    );
    if (!rows[0]) throw new HttpError(409, HUB_ERR.CONFLICT, `${d} is already used by another partner`);
    return { domain: view(rows[0]), created: true };
  }

  /**
   * Looks for the token in DNS, then in the well-known file. 422 naming both places when neither
   * has it (the hub's partner domain keeps working as before: pending is not served branded).
   */
  async verify(partnerId: string, domain: string): Promise<PartnerDomain> {
    const r = await this.row(partnerId, domain);
    if (!r) throw notFound('domain');
    if (r.status === 'verified') return view(r);
    const expected = `${TOKEN_PREFIX}${r.token}`;
    const reasons: string[] = [];
    let by: 'dns' | 'http' | null = null;
    try {
      const records = await this.txt(`${TXT_LABEL}.${r.domain}`);
      if (records.some((t) => t.trim() === expected)) by = 'dns';
      else reasons.push(`no TXT record ${TXT_LABEL}.${r.domain} with the token`);
    } catch (e) {
      reasons.push((e as Error).message);
    }
    if (!by) {
      try {
        const body = await this.wellKnown(r.domain);
        if (body.trim() === expected) by = 'http';
        else reasons.push(`http://${r.domain}${WELL_KNOWN_PATH} does not contain the token`);
      } catch (e) {
        reasons.push(`http://${r.domain}${WELL_KNOWN_PATH}: ${(e as Error).message}`);
      }
    }
    if (!by) throw new HttpError(422, HUB_ERR.VALIDATION, `${r.domain} is not verified yet: ${reasons.join('; ')}`);
    const rows = await this.db.query<Row>(
      `UPDATE partner_domains SET status = 'verified', verified_by = $3, verified_at = now()
       WHERE partner_id = $1 AND domain = $2 RETURNING *`,
      [partnerId, r.domain, by],
    );
    return view(rows[0] as Row);
  }

  async remove(partnerId: string, domain: string): Promise<void> {
    const rows = await this.db.query('DELETE FROM partner_domains WHERE partner_id = $1 AND domain = $2 RETURNING 1', [
      partnerId,
      domain.toLowerCase(),
    ]);
    if (!rows.length) throw notFound('domain');
  }
}
