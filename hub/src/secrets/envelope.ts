import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM sealing. A sealed value is `v1.<iv>.<tag>.<ciphertext>` (base64url parts). The
 * additional data (`aad`) binds a ciphertext to where it belongs (client, secret name), so a row
 * copied onto another client or name does not open.
 */
export function seal(key: Buffer, plaintext: Buffer | string, aad: string): string {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(typeof plaintext === 'string' ? Buffer.from(plaintext) : plaintext), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** Opens a sealed value; throws when the key, the aad or the bytes are wrong. */
export function open(key: Buffer, sealed: string, aad: string): Buffer {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new Error('not a sealed value');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1], 'base64url'));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(Buffer.from(parts[2], 'base64url'));
  return Buffer.concat([d.update(Buffer.from(parts[3], 'base64url')), d.final()]);
}
