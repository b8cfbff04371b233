import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider from 'oidc-provider';

/** A real OpenID provider (oidc-provider, dev interactions) on a loopback port. */
export async function startProvider(redirectUri: string) {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end();
  const server = createServer((q, s) => handler(q, s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'deepsignal-hub',
        client_secret: 'sso-client-secret-123',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // The login form's "login" field is the account id; we make it the email.
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: sub, email_verified: true }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true } },
  });
  handler = provider.callback();
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Follows redirects by hand with a cookie jar per origin, filling the provider's login and consent forms. */
export async function browserLogin(startUrl: string, email: string) {
  const jar = new Map<string, Map<string, string>>();
  const cookieFor = (u: URL) => [...(jar.get(u.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (u: URL, res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const m = jar.get(u.host) ?? new Map<string, string>();
      m.set(pair.slice(0, i), pair.slice(i + 1));
      jar.set(u.host, m);
    }
  };
  let url = new URL(startUrl);
  let init: RequestInit = {};
  const hubCookies: string[] = [];
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers ?? {}), cookie: cookieFor(url) },
    });
    keep(url, res);
    if (url.pathname.startsWith('/api/v1/auth/sso/callback')) {
      hubCookies.push(...res.headers.getSetCookie());
      return { status: res.status, location: res.headers.get('location'), cookies: hubCookies, body: await res.text() };
    }
    const loc = res.headers.get('location');
    if (loc) {
      url = new URL(loc, url);
      init = {};
      continue;
    }
    const html = await res.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!prompt) throw new Error(`unexpected page at ${url}: ${res.status} ${html.slice(0, 200)}`);
    const form = new URLSearchParams({ prompt, ...(prompt === 'login' ? { login: email, password: 'x' } : {}) });
    init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
  }
  throw new Error('too many redirects');
}
