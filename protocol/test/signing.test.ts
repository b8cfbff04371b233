import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  generateHubKeyPair,
  importPublicKey,
  keyIdOf,
  loadVector,
  publicKeyFromPrivatePem,
  type SignedCommand,
  signCommand,
  signingBytes,
  verifyCommand,
} from '../src/index.js';

const v = loadVector<{
  publicKey: string;
  keyId: string;
  instanceId: string;
  now: number;
  canonical: string;
  valid: SignedCommand;
  refused: { name: string; reason: string; command: unknown; seen?: string[] }[];
}>('signing.json');
const keys = loadVector<{ publicKey: string; privateKeyPem: string }>('keys.json');

const opts = (seen: string[] = []) => ({
  instanceId: v.instanceId,
  publicKeys: [v.publicKey],
  now: v.now,
  seen: (id: string) => seen.includes(id),
});

describe('command signing', () => {
  it('signs over the documented canonical bytes', () => {
    expect(signingBytes(v.valid).toString('utf8')).toBe(v.canonical);
    expect(signCommand(v.valid, keys.privateKeyPem).sig).toBe(v.valid.sig); // Ed25519 is deterministic
    expect(v.valid.keyId).toBe(keyIdOf(v.publicKey));
  });

  it('accepts the valid vector', () => {
    expect(verifyCommand(v.valid, opts())).toMatchObject({ ok: true, command: { id: 'cmd-0001' } });
  });

  it('accepts a command whose fields arrive in another order', () => {
    const shuffled = Object.fromEntries(Object.entries(v.valid).reverse());
    expect(verifyCommand(shuffled, opts()).ok).toBe(true);
  });

  it.each(v.refused.map((r) => [r.name, r]))('refuses: %s', (_n, r) => {
    const res = verifyCommand(r.command, opts(r.seen));
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toBe(r.reason);
  });

  it('refuses when no trusted key is configured, and accepts any key of a rotation', () => {
    expect(verifyCommand(v.valid, { ...opts(), publicKeys: [] })).toMatchObject({ ok: false, reason: 'unknown_key' });
    const next = generateHubKeyPair();
    expect(verifyCommand(v.valid, { ...opts(), publicKeys: [next.publicKey, v.publicKey] }).ok).toBe(true);
    expect(verifyCommand(v.valid, { ...opts(), publicKeys: [next.publicKey] })).toMatchObject({
      reason: 'bad_signature',
    });
  });

  it('never throws on garbage', () => {
    for (const g of [null, undefined, 1, 'x', [], {}, { sig: 5 }, { ...v.valid, params: null }]) {
      expect(verifyCommand(g, opts()).ok).toBe(false);
    }
  });

  it('round-trips generated keys', () => {
    const k = generateHubKeyPair();
    expect(publicKeyFromPrivatePem(k.privateKeyPem)).toBe(k.publicKey);
    expect(() => importPublicKey(k.publicKey)).not.toThrow();
    expect(() => importPublicKey('ed25519:short')).toThrow(TypeError);
    expect(() => importPublicKey('rsa:abc')).toThrow(TypeError);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
  });
});
