import { ipAllowed } from './ip.js';

type TrustFn = (addr: string, hop: number) => boolean;

/**
 * DS_TRUST_PROXY as Fastify's `trustProxy` function: whether the address `hop` steps from the
 * socket (0 = the socket's peer) is a proxy whose X-Forwarded-* may be believed.
 */
export function proxyTrust(trust: false | number | string[]): TrustFn | false {
  if (trust === false || trust === 0) return false;
  if (typeof trust === 'number') return (_addr, hop) => hop < trust;
  return (addr) => ipAllowed(trust, addr);
}

/**
 * The client's address as DS_TRUST_PROXY sees it, for callers outside Fastify (the live stream's
 * handshake). Same rule as Fastify's `trustProxy`: walk X-Forwarded-For from the right, starting
 * at the socket's peer, and stop at the first address that is not a trusted proxy (by hop count
 * or by address). Entries a client prepended are never reached.
 */
export function clientIp(remote: string, xff: string | string[] | undefined, trust: false | number | string[]): string {
  if (trust === false || trust === 0 || !xff) return remote;
  const chain = [
    remote,
    ...(Array.isArray(xff) ? xff.join(',') : xff)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .reverse(),
  ];
  const trusted = proxyTrust(trust) as TrustFn;
  for (let i = 0; i < chain.length - 1; i++) if (!trusted(chain[i], i)) return chain[i];
  return chain[chain.length - 1];
}

/** Host of an Origin header; null for `null` (sandboxed frames, file:) or anything unparsable. */
export function originHost(origin: string): string | null {
  try {
    return origin === 'null' ? null : new URL(origin).host;
  } catch {
    return null;
  }
}
