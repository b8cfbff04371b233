import { describe, expect, it } from 'vitest';
import { hashSecret } from '../auth/password.js';
import type { Db } from '../db/index.js';
import { verifyInstanceSecret } from './credentials.js';

/** A one-row credential store standing in for the database. */
function store(hash: string) {
  const s = { hash, reads: 0 };
  const db = {
    query: async () => {
      s.reads++;
      return [{ secret_hash: s.hash }];
    },
  } as unknown as Db;
  return { s, db };
}

describe('verifyInstanceSecret', () => {
  it('accepts the right secret, always refuses a wrong one, and forgets a secret once it is rotated', async () => {
    const { s, db } = store(await hashSecret('right-secret-0123456789abcdef'));
    expect(await verifyInstanceSecret(db, 'i1', 'right-secret-0123456789abcdef')).toBe(true);
    expect(await verifyInstanceSecret(db, 'i1', 'right-secret-0123456789abcdef')).toBe(true); // cached success
    expect(await verifyInstanceSecret(db, 'i1', 'wrong-secret')).toBe(false);
    s.hash = await hashSecret('rotated-secret-0123456789abcdef');
    expect(await verifyInstanceSecret(db, 'i1', 'right-secret-0123456789abcdef')).toBe(false);
    expect(await verifyInstanceSecret(db, 'i1', 'rotated-secret-0123456789abcdef')).toBe(true);
  });
});
