import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';

/**
 * The one place that decides which addresses the hub may call on a tenant's or a user's behalf.
 * Outgoing requests to URLs a user typed (alert webhooks, Slack, SSO issuers) must not reach the
 * hub's own network: loopback, private ranges, link-local (cloud metadata at 169.254.169.254),
 * CGNAT, unique-local IPv6, unspecified, multicast and reserved addresses are refused. A name is
 * resolved once and the connection goes to the address that was checked (`guardedAgent`), so a
 * DNS answer that changes between the check and the connect (rebinding) cannot slip through.
 */

/** Every range that is not the public internet, with the name a refusal gives it (most specific first). */
const RANGES: { why: string; cidrs: string[] }[] = [
  { why: 'unspecified', cidrs: ['0.0.0.0/8', '::/128'] },
  { why: 'loopback', cidrs: ['127.0.0.0/8', '::1/128'] },
  { why: 'private (RFC 1918)', cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
  { why: 'cloud metadata', cidrs: ['169.254.169.254/32'] },
  { why: 'link-local', cidrs: ['169.254.0.0/16', 'fe80::/10'] },
  { why: 'carrier-grade NAT (100.64/10)', cidrs: ['100.64.0.0/10'] },
  { why: 'unique-local (fc00::/7)', cidrs: ['fc00::/7', 'fec0::/10'] },
  { why: 'multicast', cidrs: ['224.0.0.0/4', 'ff00::/8'] },
  { why: 'IETF protocol assignment', cidrs: ['192.0.0.0/24'] },
  { why: 'documentation', cidrs: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'] },
  { why: 'benchmarking', cidrs: ['198.18.0.0/15'] },
  { why: 'local NAT64', cidrs: ['64:ff9b:1::/48'] },
  {
    why: 'reserved',
    cidrs: [
      '240.0.0.0/4',
      '100::/64',
      // NAT64 forms not written canonically (canonical ones are checked as the IPv4 inside).
      '64:ff9b::/96',
    ],
  },
];

const LISTS = RANGES.map(({ why, cidrs }) => {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split('/');
    list.addSubnet(addr, Number(bits), isIP(addr) === 6 ? 'ipv6' : 'ipv4');
  }
  return { why, list };
});

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedV4(ip: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = Number.parseInt(m[2], 16);
  const lo = Number.parseInt(m[3], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Why an address is not public (`loopback`, `private`…), or null for a public address. */
export function nonPublicReason(ip: string): string | null {
  const fam = isIP(ip);
  if (!fam) return 'not an IP address';
  const v4 = fam === 6 ? embeddedV4(ip) : null;
  const addr = v4 ?? ip;
  const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  for (const { why, list } of LISTS) if (list.check(addr, type)) return why;
  return null;
}

export const isPublicAddress = (ip: string) => nonPublicReason(ip) === null;

/** A URL the hub refuses to call; the message says why, for a 400 or a failed delivery. */
export class PublicAddressError extends Error {
  override name = 'PublicAddressError';
  /** The name did not resolve: worth another try later (a refused address is not). */
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
  }
}

export interface GuardOptions {
  /** On-premises hubs and tests call endpoints on their own network (and over http). */
  allowPrivate: boolean;
  /** The resolver (tests give a fake one). */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
}

const systemResolve = (host: string) => dnsLookup(host, { all: true, verbatim: true });

/** Every address a host name (or IP literal) resolves to, each checked; throws PublicAddressError. */
export async function resolvePublic(host: string, o: GuardOptions): Promise<{ address: string; family: number }[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let addrs: { address: string; family: number }[];
  if (isIP(bare)) addrs = [{ address: bare, family: isIP(bare) }];
  else {
    try {
      addrs = await (o.resolve ?? systemResolve)(bare);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'DNS error';
      throw new PublicAddressError(`${bare} does not resolve (${code})`, true);
    }
    if (!addrs.length) throw new PublicAddressError(`${bare} does not resolve`, true);
  }
  if (o.allowPrivate) return addrs;
  // One bad answer refuses the name: a host listing a public and a private address is not trusted.
  for (const a of addrs) {
    const why = nonPublicReason(a.address);
    if (why)
      throw new PublicAddressError(
        `${bare} ${a.address === bare ? 'is' : `resolves to ${a.address},`} a ${why} address; only public addresses are called`,
      );
  }
  return addrs;
}

/**
 * Checks a URL before it is stored or called: https only (http too with allowPrivate), no
 * credentials in it, and a host that resolves to public addresses only. Throws PublicAddressError.
 */
export async function assertPublicUrl(raw: string, o: GuardOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PublicAddressError('not a URL');
  }
  const schemes = o.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) throw new PublicAddressError(`${url.protocol} URLs are refused: use https`);
  if (url.username || url.password) throw new PublicAddressError('a URL with a user name or password is refused');
  await resolvePublic(url.hostname, o);
  return url;
}

/** A `lookup` for net/tls connects that resolves once and hands over only checked addresses. */
export function guardedLookup(o: GuardOptions): LookupFunction {
  return (hostname, options, callback) => {
    resolvePublic(hostname, o).then(
      (all) => {
        const fam = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const addrs = fam ? all.filter((a) => a.family === fam) : all;
        if (!addrs.length) return callback(new PublicAddressError(`${hostname} has no IPv${fam} address`), '', 0);
        if (options.all) return (callback as (e: null, a: typeof addrs) => void)(null, addrs);
        callback(null, addrs[0].address, addrs[0].family);
      },
      (e: Error) => callback(e as NodeJS.ErrnoException, '', 0),
    );
  };
}

/** An undici dispatcher whose connections only go to checked public addresses. */
export function guardedAgent(o: GuardOptions): Agent {
  return new Agent({ connect: { lookup: guardedLookup(o) } });
}
