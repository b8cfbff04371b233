import { promises as dns } from 'node:dns';
import { HttpError, HUB_ERR, notFound } from '../../auth/errors.js';
import type { Db } from '../../db/index.js';
import { newId, newSecret } from '../../util/ids.js';

/** Where the proof lives: TXT `_deepsignal-challenge.<domain>` = `deepsignal-verification=<token>`. */
export const CHALLENGE_LABEL = '_deepsignal-challenge';
export const TXT_PREFIX = 'deepsignal-verification=';
/** A claim nobody proved is void after a week (claim again for a new token). */
export const CLAIM_TTL_MS = 7 * 24 * 3600_000;

export type ClaimStatus = 'pending' | 'verified' | 'expired';

/** A claim as the API shows it, with the DNS record that proves it. */
export interface DomainClaim {
  clientId: string;
  domain: string;
  status: ClaimStatus;
  txtName: string;
  txtValue: string;
  expiresAt: string | null;
  verifiedAt: string | null;
  verifiedBy: string | null;
  createdAt: string;
}

interface Row {
  client_id: string;
  domain: string;
  token: string;
  status: string;
  verified_by: string | null;
  verified_at: Date | string | null;
  expires_at: Date | string;
  created_at: Date | string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function view(r: Row): DomainClaim {
  const verified = r.status === 'verified';
  return {
    clientId: r.client_id,
    domain: r.domain,
    status: verified ? 'verified' : new Date(r.expires_at).getTime() < Date.now() ? 'expired' : 'pending',
    txtName: `${CHALLENGE_LABEL}.${r.domain}`,
    txtValue: `${TXT_PREFIX}${r.token}`,
    expiresAt: verified ? null : iso(r.expires_at),
    verifiedAt: iso(r.verified_at),
    verifiedBy: r.verified_by,
    createdAt: iso(r.created_at) as string,
  };
}

/** TXT records of a name, each joined from its strings; none (not an error) when the name has none. */
export type TxtLookup = (name: string) => Promise<string[]>;

export function txtLookup(servers?: string[]): TxtLookup {
  const r = new dns.Resolver({ timeout: 3000, tries: 2 });
  if (servers?.length) r.setServers(servers);
  return async (name) => {
    try {
      return (await r.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENODATA' || code === 'ENOTFOUND') return [];
      throw new HttpError(502, HUB_ERR.SSO, `the DNS look-up of ${name} failed (${code ?? (e as Error).message})`);
    }
  };
}

const conflictElsewhere = (domain: string) =>
  new HttpError(
    409,
    HUB_ERR.CONFLICT,
    `${domain} is verified by another client; if it is yours, ask the operator to revoke that claim`,
  );

/**
 * SSO domain claims (table sso_domain_claims). A client claims a domain and gets a token; the
 * claim is verified when the hub finds the token in DNS or an admin approves it. Pending claims of
 * several clients may coexist; one verified claim per domain at most (a unique index).
 */
export class DomainClaims {
  constructor(
    private readonly db: Db,
    private readonly txt: TxtLookup,
  ) {}

  private async row(clientId: string, domain: string): Promise<Row | undefined> {
    return (
      await this.db.query<Row>('SELECT * FROM sso_domain_claims WHERE client_id = $1 AND domain = $2', [
        clientId,
        domain.toLowerCase(),
      ])
    )[0];
  }

  /** The client whose claim on the domain is verified, or null. */
  async verifiedClient(domain: string): Promise<string | null> {
    const rows = await this.db.query<{ client_id: string }>(
      "SELECT client_id FROM sso_domain_claims WHERE domain = $1 AND status = 'verified'",
      [domain.toLowerCase()],
    );
    return rows[0]?.client_id ?? null;
  }

  async status(clientId: string, domain: string): Promise<ClaimStatus | null> {
    const r = await this.row(clientId, domain);
    return r ? view(r).status : null;
  }

  async list(clientId: string): Promise<DomainClaim[]> {
    const rows = await this.db.query<Row>('SELECT * FROM sso_domain_claims WHERE client_id = $1 ORDER BY domain', [
      clientId,
    ]);
    return rows.map(view);
  }

  /** Every client's claims (for the operator), optionally of one domain. */
  async all(domain?: string): Promise<DomainClaim[]> {
    const rows = domain
      ? await this.db.query<Row>('SELECT * FROM sso_domain_claims WHERE domain = $1 ORDER BY created_at', [
          domain.toLowerCase(),
        ])
      : await this.db.query<Row>('SELECT * FROM sso_domain_claims ORDER BY domain, created_at');
    return rows.map(view);
  }

  /**
   * Claims a domain for a client (pending, with a fresh token), or returns the client's claim on
   * it; an expired claim gets a new token and another week.
   */
  async claim(clientId: string, domain: string): Promise<{ claim: DomainClaim; created: boolean }> {
    const d = domain.toLowerCase();
    const owner = await this.verifiedClient(d);
    if (owner && owner !== clientId) throw conflictElsewhere(d);
    const existing = await this.row(clientId, d);
    if (existing && view(existing).status !== 'expired') return { claim: view(existing), created: false };
    const expires = new Date(Date.now() + CLAIM_TTL_MS);
    const token = newSecret(24);
    if (existing)
      await this.db.query(
        'UPDATE sso_domain_claims SET token = $3, expires_at = $4, created_at = now() WHERE client_id = $1 AND domain = $2',
        [clientId, d, token, expires],
      );
    else
      await this.db.query(
        `INSERT INTO sso_domain_claims (id, client_id, domain, token, expires_at) VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT (client_id, domain) DO NOTHING`,
        [newId('dom'), clientId, d, token, expires],
      );
    return { claim: view((await this.row(clientId, d)) as Row), created: true };
  }

  /** Looks for the claim's TXT record and verifies the claim when it is there. */
  async verifyByDns(clientId: string, domain: string): Promise<DomainClaim> {
    const r = await this.row(clientId, domain);
    if (!r) throw notFound('domain claim');
    const v = view(r);
    if (v.status === 'verified') return v;
    if (v.status === 'expired')
      throw new HttpError(
        409,
        HUB_ERR.CONFLICT,
        `the claim on ${v.domain} expired on ${v.expiresAt}; claim the domain again for a new token`,
      );
    const owner = await this.verifiedClient(v.domain);
    if (owner && owner !== clientId) throw conflictElsewhere(v.domain);
    const found = await this.txt(v.txtName);
    if (!found.includes(v.txtValue))
      throw new HttpError(
        422,
        HUB_ERR.SSO,
        found.length
          ? `the TXT record ${v.txtName} does not hold ${v.txtValue} (found ${found.length} other record${found.length > 1 ? 's' : ''})`
          : `no TXT record ${v.txtName} found; add one with the value ${v.txtValue} (DNS changes can take a while)`,
      );
    return this.markVerified(clientId, v.domain, 'dns');
  }

  /** The operator vouches for the claim (no DNS proof needed), expired or not. */
  async approve(clientId: string, domain: string, adminId: string): Promise<DomainClaim> {
    const r = await this.row(clientId, domain);
    if (!r) throw notFound('domain claim');
    if (r.status === 'verified') return view(r);
    return this.markVerified(clientId, r.domain, `user:${adminId}`);
  }

  private async markVerified(clientId: string, domain: string, by: string): Promise<DomainClaim> {
    const owner = await this.verifiedClient(domain);
    if (owner && owner !== clientId) throw conflictElsewhere(domain);
    try {
      await this.db.query(
        `UPDATE sso_domain_claims SET status = 'verified', verified_by = $3, verified_at = now()
         WHERE client_id = $1 AND domain = $2`,
        [clientId, domain, by],
      );
    } catch (e) {
      // Another client's claim was verified at the same moment: the unique index keeps one.
      if ((e as { code?: string }).code === '23505') throw conflictElsewhere(domain);
      throw e;
    }
    return view((await this.row(clientId, domain)) as Row);
  }

  /** Withdraws (the client) or revokes (the operator) a claim; a verified one stops routing logins at once. */
  async remove(clientId: string, domain: string): Promise<DomainClaim> {
    const r = await this.row(clientId, domain);
    if (!r) throw notFound('domain claim');
    await this.db.query('DELETE FROM sso_domain_claims WHERE client_id = $1 AND domain = $2', [clientId, r.domain]);
    return view(r);
  }
}
