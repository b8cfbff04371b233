import { createHash } from 'node:crypto';
import { CommandFailure } from '../commands/types.js';
import { errorMessage } from '../errors.js';

/** What a download may be at most, and how long it may take. */
export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Fetches a file whole into memory within a size and a time bound, and checks its sha256: a body
 * that is too large is cut off as it streams (not after), and a wrong checksum is refused.
 */
export async function downloadVerified(url: string, sha256: string, limits: DownloadLimits): Promise<Buffer> {
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new CommandFailure('bad_params', `cannot download from a ${u.protocol} URL`);
  const signals = [AbortSignal.timeout(limits.timeoutMs), ...(limits.signal ? [limits.signal] : [])];
  let res: Response;
  try {
    res = await fetch(u, { signal: AbortSignal.any(signals), redirect: 'follow' });
  } catch (e) {
    throw new CommandFailure('download_failed', `cannot download ${u.origin}${u.pathname}: ${errorMessage(e)}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new CommandFailure('download_failed', `${u.origin}${u.pathname} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > limits.maxBytes) {
    await res.body.cancel().catch(() => {});
    throw new CommandFailure('too_large', `the download is ${declared} bytes; at most ${limits.maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const hash = createHash('sha256');
  try {
    for await (const c of res.body as AsyncIterable<Uint8Array>) {
      size += c.byteLength;
      if (size > limits.maxBytes) {
        throw new CommandFailure('too_large', `the download is over ${limits.maxBytes} bytes`);
      }
      hash.update(c);
      chunks.push(Buffer.from(c));
    }
  } catch (e) {
    await res.body.cancel().catch(() => {});
    if (e instanceof CommandFailure) throw e;
    throw new CommandFailure('download_failed', `download of ${u.origin}${u.pathname} broke off: ${errorMessage(e)}`);
  }
  const got = hash.digest('hex');
  if (got !== sha256)
    throw new CommandFailure('checksum_mismatch', `the download's sha256 is ${got}, the command says ${sha256}`);
  return Buffer.concat(chunks, size);
}
