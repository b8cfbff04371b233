import * as oidc from 'openid-client';
import type { HubContext } from '../../context.js';

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

/** Loopback issuers (development, tests) may use plain HTTP; every other issuer must be HTTPS. */
const loopback = (u: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

/**
 * OIDC relying party per client, on openid-client: discovery (cached 5 min), authorization code
 * flow with PKCE, state and nonce. Logins in flight are kept in this hub's memory for 10 minutes
 * (so the callback must reach the hub that started the login).
 */
export class OidcLogins {
  private readonly pending = new Map<string, Pending>();
  private readonly configs = new Map<string, { at: number; config: oidc.Configuration }>();

  constructor(private readonly ctx: HubContext) {}

  async settings(clientId: string): Promise<OidcSettings | null> {
    const rows = await this.ctx.db.query<{ oidc: OidcSettings | null }>(
      'SELECT oidc FROM client_settings WHERE client_id = $1',
      [clientId],
    );
    return rows[0]?.oidc ?? null;
  }

  /** The client whose SSO accepts this email domain (a domain belongs to one client at most). */
  async clientForDomain(domain: string): Promise<string | null> {
    const rows = await this.ctx.db.query<{ client_id: string }>(
      "SELECT client_id FROM client_settings WHERE lower(oidc->>'allowedDomain') = $1 LIMIT 1",
      [domain.toLowerCase()],
    );
    return rows[0]?.client_id ?? null;
  }

  private async config(clientId: string, s: OidcSettings): Promise<oidc.Configuration> {
    const key = `${clientId}|${s.issuer}|${s.clientId}`;
    const hit = this.configs.get(key);
    if (hit && Date.now() - hit.at < CONFIG_TTL_MS) return hit.config;
    const secret = (await this.ctx.secrets.get(clientId, SSO_SECRET)) ?? undefined;
    const issuer = new URL(s.issuer);
    const config = await oidc.discovery(
      issuer,
      s.clientId,
      undefined,
      secret ? oidc.ClientSecretBasic(secret) : oidc.None(),
      loopback(issuer) ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
    );
    this.configs.set(key, { at: Date.now(), config });
    return config;
  }

  forget(clientId: string): void {
    for (const k of this.configs.keys()) if (k.startsWith(`${clientId}|`)) this.configs.delete(k);
  }

  /** The provider URL to send the browser to. */
  async start(clientId: string, s: OidcSettings, redirectUri: string): Promise<string> {
    const config = await this.config(clientId, s);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const now = Date.now();
    for (const [k, p] of this.pending) if (p.expires < now || this.pending.size >= PENDING_MAX) this.pending.delete(k);
    this.pending.set(state, { clientId, verifier, nonce, redirectUri, expires: now + PENDING_TTL_MS });
    return oidc
      .buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      })
      .toString();
  }

  /** Completes a login: the verified email and the client it was for. Throws on any mismatch. */
  async finish(currentUrl: URL): Promise<{ clientId: string; email: string; settings: OidcSettings }> {
    const state = currentUrl.searchParams.get('state') ?? '';
    const p = this.pending.get(state);
    this.pending.delete(state);
    if (!p || p.expires < Date.now()) throw new Error('unknown or expired login; start again');
    const s = await this.settings(p.clientId);
    if (!s) throw new Error('single sign-on is not configured for this client');
    const config = await this.config(p.clientId, s);
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
    if (email.split('@')[1] !== s.allowedDomain.toLowerCase()) throw new Error('this email domain is not allowed');
    return { clientId: p.clientId, email, settings: s };
  }
}
