import { Agent, fetch as undiciFetch } from 'undici';
import { makeResolver } from '../security/outbound.js';
import { guardedLookup } from '../security/public-address.js';
import { WELL_KNOWN_PATH, type WellKnownFetch } from './domains.js';

const MAX_BYTES = 4096;

/**
 * Fetches `http://<domain>/.well-known/deepsignal-verify` for a domain proof. The name resolves
 * through DS_DNS_SERVERS (else the system) and only to public addresses unless private ones are
 * allowed (tests); redirects are not followed and at most 4 KiB are read.
 */
export function wellKnownFetch(o: { dnsServers?: string[]; port: number; allowPrivate: boolean }): WellKnownFetch {
  const dispatcher = new Agent({
    connect: { lookup: guardedLookup({ allowPrivate: o.allowPrivate, resolve: makeResolver(o.dnsServers) }) },
    connections: 2,
  });
  return async (domain) => {
    const port = o.port === 80 ? '' : `:${o.port}`;
    const res = await undiciFetch(`http://${domain}${port}${WELL_KNOWN_PATH}`, {
      redirect: 'manual',
      dispatcher,
      signal: AbortSignal.timeout(5000),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`answered ${res.status}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body ?? []) {
      chunks.push(Buffer.from(c as Uint8Array));
      size += (c as Uint8Array).length;
      if (size > MAX_BYTES) break;
    }
    return Buffer.concat(chunks).subarray(0, MAX_BYTES).toString('utf8');
  };
}
