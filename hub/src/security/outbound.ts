import { promises as dns } from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';
import { type GuardOptions, guardedLookup, PublicAddressError, resolvePublic } from './public-address.js';

/**
 * Outbound requests to URLs a tenant chose (SSO issuers and what their discovery names): only
 * https, only public addresses as public-address.ts judges them. The name is resolved once per
 * connection, every address it gives is checked, and the connection goes to the checked address,
 * so a DNS answer that changes between the check and the connect (rebinding) cannot reach the
 * hub's own network. What this adds: the DNS servers setting and a fetch that uses the guard.
 */

/** A URL the hub refuses to contact; the message says why, for the person who configured it. */
export const OutboundRefused = PublicAddressError;

export type Resolve = (host: string) => Promise<{ address: string; family: 4 | 6 }[]>;

/**
 * Name resolution: the given DNS servers (`ip`, `ip:port`, `[ipv6]:port`) or, without them, the
 * system resolver (getaddrinfo, so /etc/hosts counts).
 */
export function makeResolver(servers?: string[]): Resolve {
  if (!servers?.length)
    return async (host) =>
      (await dns.lookup(host, { all: true, verbatim: true })) as { address: string; family: 4 | 6 }[];
  const r = new dns.Resolver({ timeout: 3000, tries: 2 });
  r.setServers(servers);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([r.resolve4(host), r.resolve6(host)]);
    const out = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
    ];
    if (!out.length) throw new Error(`${host} does not resolve`);
    return out;
  };
}

/** Options of the guard; `allowInsecure` lets http and non-public addresses through (test identity providers). */
export interface OutboundPolicy {
  resolve: Resolve;
  allowInsecure: boolean;
}

/**
 * The addresses `host` resolves to, all of them public (one non-public address refuses the
 * whole name: the connection could go to any of them).
 */
export async function publicAddresses(host: string, p: OutboundPolicy): Promise<{ address: string; family: 4 | 6 }[]> {
  return (await resolvePublic(host, toGuard(p))) as { address: string; family: 4 | 6 }[];
}

const toGuard = (p: OutboundPolicy): GuardOptions => ({ allowPrivate: p.allowInsecure, resolve: p.resolve });

/** Checks a URL before any request: https (unless insecure is allowed) and a public host. */
export async function assertPublicUrl(url: URL, p: OutboundPolicy): Promise<void> {
  if (url.protocol !== 'https:' && !(p.allowInsecure && url.protocol === 'http:'))
    throw new OutboundRefused(`${url.origin} is not an https URL`);
  if (url.username || url.password) throw new OutboundRefused('the URL must not carry a user name or password');
  await resolvePublic(url.hostname, toGuard(p));
}

/**
 * A fetch for tenant-chosen URLs: each URL is checked first, and its connections resolve through
 * the same check, connecting to the address that passed it.
 */
export function guardedFetch(p: OutboundPolicy): typeof fetch {
  const lookup = guardedLookup(toGuard(p));
  const dispatcher = new Agent({ connect: { lookup }, connections: 8 });
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    await assertPublicUrl(url, p);
    // Redirects are not followed: each hop would need the same check (OAuth calls use manual redirects anyway).
    return undiciFetch(url, { ...(init as object), redirect: 'manual', dispatcher } as Parameters<
      typeof undiciFetch
    >[1]);
  }) as unknown as typeof fetch;
}
