import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Slow hashes for passwords and instance secrets: scrypt (N=2^14, r=8, p=1, 32-byte key).
 * Stored as `scrypt$N$r$p$<salt b64url>$<hash b64url>` so the cost can be raised later.
 */
const N = 16384;
const R = 8;
const P = 1;
const LEN = 32;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((res, rej) =>
    scrypt(secret, salt, LEN, { N: n, r, p, maxmem: 256 * n * r }, (e, k) => (e ? rej(e) : res(k))),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Constant-time check of a secret against a stored hash; false for any malformed hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (![n, r, p].every(Number.isInteger) || n > 1 << 20) return false;
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await derive(secret, Buffer.from(parts[4], 'base64url'), n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
