import { promises as dns } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Outbound requests to URLs a tenant chose (SSO issuers and what their discovery names): only
 * https, only public addresses. The name is resolved once per connection, every address it gives
 * is checked, and the connection goes to the checked address, so a DNS answer that changes
 * between the check and the connect (rebinding) cannot reach the hub's own network.
 */

/** Why an address is not public, or null when it is. */
const RANGES: [cidr: string, kind: string][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'carrier-grade NAT (100.64/10)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.169.254/32', 'cloud metadata'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignment'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fc00::/7', 'unique-local (fc00::/7)'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
  ['2001:db8::/32', 'documentation'],
  ['64:ff9b:1::/48', 'local NAT64'],
];
const lists = RANGES.map(([cidr, kind]) => {
  const [net, bits] = cidr.split('/');
  const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  list.addSubnet(net, Number(bits), family);
  return { list, family, kind };
});

/** The kind of non-public address (`loopback`, `private (RFC 1918)`, …), or null for a public one. */
export function nonPublicKind(address: string): string | null {
  let a = address.replace(/^\[|\]$/g, '').toLowerCase();
  // IPv4-mapped IPv6 (::ffff:10.0.0.1, or its hex form) and NAT64 (64:ff9b::10.0.0.1, which a
  // NAT64 gateway forwards to that IPv4 address) are judged by the IPv4 address underneath.
  const mapped = /^(?:::ffff:(?:0:)?|64:ff9b::)(.+)$/.exec(a)?.[1];
  if (mapped) {
    if (isIP(mapped) === 4) a = mapped;
    else {
      const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(mapped);
      if (hex) {
        const n = (Number.parseInt(hex[1], 16) << 16) | Number.parseInt(hex[2], 16);
        a = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      }
    }
  }
  const family = isIP(a);
  if (!family) return 'not an IP address';
  const fam = family === 6 ? 'ipv6' : 'ipv4';
  for (const r of lists) if (r.family === fam && r.list.check(a, fam)) return r.kind;
  return null;
}

/** A URL the hub refuses to contact; the message says why, for the person who configured it. */
export class OutboundRefused extends Error {}

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
  const bare = host.replace(/^\[|\]$/g, '');
  const ipFamily = isIP(bare);
  let found: { address: string; family: 4 | 6 }[];
  if (ipFamily) found = [{ address: bare, family: ipFamily as 4 | 6 }];
  else {
    try {
      found = await p.resolve(bare);
    } catch (e) {
      throw new OutboundRefused(`${host} does not resolve (${(e as Error).message})`);
    }
  }
  if (p.allowInsecure) return found;
  for (const { address } of found) {
    const kind = nonPublicKind(address);
    if (kind) throw new OutboundRefused(`${host} ${ipFamily ? 'is' : `resolves to ${address},`} a ${kind} address`);
  }
  return found;
}

/** Checks a URL before any request: https (unless insecure is allowed) and a public host. */
export async function assertPublicUrl(url: URL, p: OutboundPolicy): Promise<void> {
  if (url.protocol !== 'https:' && !(p.allowInsecure && url.protocol === 'http:'))
    throw new OutboundRefused(`${url.origin} is not an https URL`);
  if (url.username || url.password) throw new OutboundRefused('the URL must not carry a user name or password');
  await publicAddresses(url.hostname, p);
}

/**
 * A fetch for tenant-chosen URLs: each URL is checked first, and its connections resolve through
 * the same check, connecting to the address that passed it.
 */
export function guardedFetch(p: OutboundPolicy): typeof fetch {
  const lookup: LookupFunction = (hostname, options, cb) => {
    publicAddresses(hostname, p).then(
      (found) => {
        const want = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = want ? found.filter((f) => f.family === want) : found;
        if (!usable.length)
          return cb(Object.assign(new Error(`${hostname} has no IPv${want} address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (cb as unknown as (e: null, a: typeof usable) => void)(null, usable);
        cb(null, usable[0].address, usable[0].family);
      },
      (e: Error) => cb(Object.assign(e, { code: 'ECONNREFUSED' }), '', 0),
    );
  };
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
