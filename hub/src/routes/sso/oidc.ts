import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import type { HubContext } from '../../context.js';
import {
  assertPublicUrl,
  guardedFetch,
  makeResolver,
  type OutboundPolicy,
  OutboundRefused,
} from '../../security/outbound.js';
import { DomainClaims, txtLookup } from './domain-claims.js';

/** A client's OpenID Connect settings (the client secret is a sealed secret, SSO_SECRET). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Only emails of this domain may log in (e.g. `acme.com`). */
  allowedDomain: string;
  /** Create a client_viewer on first login of an unknown email of the domain; else only invited users. */
  autoProvision: boolean;
}

/** Name of the sealed secret holding the OIDC client secret. */
export const SSO_SECRET = 'sso.oidc-client-secret';

const PENDING_TTL_MS = 10 * 60_000;
const hashState = (state: string) => createHash('sha256').update(state).digest('hex');
const PENDING_MAX = 10_000;
const CONFIG_TTL_MS = 5 * 60_000;

/** One login in flight, between the redirect to the provider and its callback. */
interface Pending {
  clientId: string;
  verifier: string;
  nonce: string;
  redirectUri: string;
  expires: number;
}

/** `DS_DNS_SERVERS` as a list (unset: the system resolver). */
export const dnsServers = (s: string | undefined) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * The authorization endpoint the browser is sent to: https (http only with insecure issuers
 * allowed), on the issuer's origin or one of `DS_SSO_AUTHORIZATION_ORIGINS`, and on a public
 * address. A discovery document naming anything else is refused.
 */
export async function checkedAuthorizationEndpoint(
  issuer: URL,
  endpoint: string | undefined,
  extraOrigins: string[],
  policy: OutboundPolicy,
): Promise<URL> {
  if (!endpoint) throw new OutboundRefused('the discovery document names no authorization_endpoint');
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new OutboundRefused("the discovery document's authorization_endpoint is not a URL");
  }
  if (u.origin !== issuer.origin && !extraOrigins.includes(u.origin))
    throw new OutboundRefused(
      `the authorization_endpoint ${u.origin} is not on the issuer's origin ${issuer.origin} (DS_SSO_AUTHORIZATION_ORIGINS lists others allowed)`,
    );
  await assertPublicUrl(u, policy);
  return u;
}

/**
 * OIDC relying party per client, on openid-client: discovery (cached 5 min), authorization code
 * flow with PKCE, state and nonce. Logins in flight are kept in the database for 10 minutes, so
 * with several hubs the callback may reach any of them.
 */
export class OidcLogins {
  private readonly configs = new Map<string, { at: number; config: oidc.Configuration; authorize: URL }>();
  readonly policy: OutboundPolicy;
  private readonly fetch: typeof fetch;
  private readonly authorizationOrigins: string[];
  /** Which client owns which email domain (only verified claims route logins). */
  readonly domains: DomainClaims;

  constructor(private readonly ctx: HubContext) {
    const servers = dnsServers(ctx.config.dnsServers);
    this.policy = { resolve: makeResolver(servers), allowInsecure: ctx.config.ssoAllowInsecureIssuers };
    this.fetch = guardedFetch(this.policy);
    this.authorizationOrigins = (ctx.config.ssoAuthorizationOrigins ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean)
      .map((o) => new URL(o).origin);
    this.domains = new DomainClaims(ctx.db, txtLookup(servers));
  }

  async settings(clientId: string): Promise<OidcSettings | null> {
    const rows = await this.ctx.db.query<{ oidc: OidcSettings | null }>(
      'SELECT oidc FROM client_settings WHERE client_id = $1',
      [clientId],
    );
    return rows[0]?.oidc ?? null;
  }

  /**
   * The client whose SSO accepts this email domain: the one whose claim on it is verified and
   * whose settings name it (a pending claim routes nobody).
   */
  async clientForDomain(domain: string): Promise<string | null> {
    const rows = await this.ctx.db.query<{ client_id: string }>(
      `SELECT s.client_id FROM client_settings s
       JOIN sso_domain_claims d ON d.client_id = s.client_id AND d.status = 'verified'
       WHERE lower(s.oidc->>'allowedDomain') = $1 AND d.domain = $1 LIMIT 1`,
      [domain.toLowerCase()],
    );
    return rows[0]?.client_id ?? null;
  }

  private async config(clientId: string, s: OidcSettings): Promise<{ config: oidc.Configuration; authorize: URL }> {
    const key = `${clientId}|${s.issuer}|${s.clientId}`;
    const hit = this.configs.get(key);
    if (hit && Date.now() - hit.at < CONFIG_TTL_MS) return hit;
    const secret = (await this.ctx.secrets.get(clientId, SSO_SECRET)) ?? undefined;
    const issuer = new URL(s.issuer);
    await assertPublicUrl(issuer, this.policy);
    // Every request openid-client makes (discovery, token, userinfo, keys) goes through the guard.
    const config = await oidc.discovery(
      issuer,
      s.clientId,
      undefined,
      secret ? oidc.ClientSecretBasic(secret) : oidc.None(),
      {
        [oidc.customFetch]: this.fetch,
        timeout: 10,
        ...(this.policy.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      },
    );
    const authorize = await checkedAuthorizationEndpoint(
      issuer,
      config.serverMetadata().authorization_endpoint,
      this.authorizationOrigins,
      this.policy,
    );
    const entry = { at: Date.now(), config, authorize };
    this.configs.set(key, entry);
    return entry;
  }

  /** Keeps a login in flight in the database, so the provider's callback may reach any hub. */
  private async remember(state: string, p: Pending): Promise<void> {
    const db = this.ctx.db;
    await db.query('DELETE FROM sso_logins_pending WHERE expires_at < now()');
    // A flood of started logins cannot grow the table without bound: the oldest give way.
    await db.query(
      `DELETE FROM sso_logins_pending WHERE state_hash IN (
         SELECT state_hash FROM sso_logins_pending ORDER BY expires_at DESC OFFSET $1)`,
      [PENDING_MAX - 1],
    );
    await db.query(
      `INSERT INTO sso_logins_pending (state_hash, client_id, verifier, nonce, redirect_uri, expires_at)
       VALUES ($1,$2,$3,$4,$5,$6)`,
      [hashState(state), p.clientId, p.verifier, p.nonce, p.redirectUri, new Date(p.expires)],
    );
  }

  /** Takes a login in flight once: a second callback with the same state finds nothing. */
  private async take(state: string): Promise<Pending | null> {
    const rows = await this.ctx.db.query<{
      client_id: string;
      verifier: string;
      nonce: string;
      redirect_uri: string;
      expires_at: Date | string;
    }>('DELETE FROM sso_logins_pending WHERE state_hash = $1 RETURNING *', [hashState(state)]);
    const r = rows[0];
    if (!r) return null;
    return {
      clientId: r.client_id,
      verifier: r.verifier,
      nonce: r.nonce,
      redirectUri: r.redirect_uri,
      expires: new Date(r.expires_at).getTime(),
    };
  }

  forget(clientId: string): void {
    for (const k of this.configs.keys()) if (k.startsWith(`${clientId}|`)) this.configs.delete(k);
  }

  /** The provider URL to send the browser to: always the checked authorization endpoint. */
  async start(clientId: string, s: OidcSettings, redirectUri: string): Promise<string> {
    const { config, authorize } = await this.config(clientId, s);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.remember(state, { clientId, verifier, nonce, redirectUri, expires: Date.now() + PENDING_TTL_MS });
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    if (target.origin !== authorize.origin || target.pathname !== authorize.pathname)
      throw new OutboundRefused(`the login would go to ${target.origin}${target.pathname}, not the checked endpoint`);
    return target.toString();
  }

  /** Completes a login: the verified email and the client it was for. Throws on any mismatch. */
  async finish(currentUrl: URL): Promise<{ clientId: string; email: string; settings: OidcSettings }> {
    const state = currentUrl.searchParams.get('state') ?? '';
    const p = await this.take(state);
    if (!p || p.expires < Date.now()) throw new Error('unknown or expired login; start again');
    const s = await this.settings(p.clientId);
    if (!s) throw new Error('single sign-on is not configured for this client');
    const { config } = await this.config(p.clientId, s);
    const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: p.verifier,
      expectedState: state,
      expectedNonce: p.nonce,
      idTokenExpected: true,
    });
    let claims: Record<string, unknown> | undefined = tokens.claims();
    // Many providers put profile claims only in userinfo (OIDC Core 5.4); ask it when needed.
    if (typeof claims?.email !== 'string' && claims?.sub)
      claims = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
    const email = typeof claims?.email === 'string' ? claims.email.toLowerCase() : '';
    if (!email) throw new Error('the identity provider sent no email');
    if (claims?.email_verified === false) throw new Error('the email is not verified at the identity provider');
    const domain = email.split('@')[1];
    if (domain !== s.allowedDomain.toLowerCase()) throw new Error('this email domain is not allowed');
    // The client's provider could assert any address: only a domain it proved is believed.
    if ((await this.domains.status(p.clientId, domain)) !== 'verified')
      throw new Error(`${domain} is not verified for this client`);
    return { clientId: p.clientId, email, settings: s };
  }
}
