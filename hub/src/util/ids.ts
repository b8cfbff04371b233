import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A random id like `inst-8k2m4q9x7d1c`: topic-safe (protocol ID_PATTERN), 60 bits of entropy. */
export function newId(prefix: string): string {
  const bytes = randomBytes(12);
  let s = '';
  for (let i = 0; i < 12; i++) s += ALPHABET[bytes[i] & 31];
  return `${prefix}-${s}`;
}

/** A secret for an instance or a one-time password: 32 random bytes, base64url. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
