import { BlockList, isIP } from 'node:net';

/** Parses IPs and CIDRs (`10.0.0.0/8`, `2001:db8::/32`, `203.0.113.7`); throws on a bad entry. */
export function parseAllowlist(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const e = raw.trim();
    if (!e) continue;
    const [addr, bits] = e.split('/');
    const fam = isIP(addr);
    if (!fam) throw new Error(`not an IP address or CIDR: ${e}`);
    const type = fam === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const n = Number(bits);
      if (!Number.isInteger(n) || n < 0 || n > (fam === 6 ? 128 : 32)) throw new Error(`bad prefix length: ${e}`);
      list.addSubnet(addr, n, type);
    }
  }
  return list;
}

/** Whether an entry list is valid (for request validation). */
export function validAllowlist(entries: readonly string[]): string | null {
  try {
    parseAllowlist(entries);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Whether `ip` is allowed by a list; an empty list allows everyone. IPv4-mapped IPv6 is unwrapped. */
export function ipAllowed(entries: readonly string[], ip: string): boolean {
  if (entries.length === 0) return true;
  const addr = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const fam = isIP(addr);
  if (!fam) return false;
  return parseAllowlist(entries).check(addr, fam === 6 ? 'ipv6' : 'ipv4');
}

export const isLoopback = (ip: string) => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
