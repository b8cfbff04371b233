import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { type SignedCommand, signedCommandSchema, type UnsignedCommand } from './messages/cmd.js';
import type { RejectReason } from './messages/cmd-result.js';

/**
 * Ed25519 signing of commands. [SPEC 6.3]
 * Public keys travel as `ed25519:<base64url of the 32 raw key bytes>`; private keys are kept as
 * PKCS#8 PEM in the hub's data directory.
 */
const PREFIX = 'ed25519:';

export interface HubKeyPair {
  /** `ed25519:<base64url>` */
  publicKey: string;
  /** PKCS#8 PEM */
  privateKeyPem: string;
  keyId: string;
}

export function generateHubKeyPair(): HubKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = exportPublicKey(publicKey);
  return {
    publicKey: pub,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    keyId: keyIdOf(pub),
  };
}

export function exportPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || !jwk.x) throw new TypeError('not an Ed25519 public key');
  return PREFIX + jwk.x;
}

/** Parses `ed25519:<base64url>`; throws TypeError on anything else. */
export function importPublicKey(text: string): KeyObject {
  const s = text.trim();
  if (!s.startsWith(PREFIX) || !/^[A-Za-z0-9_-]{43}$/.test(s.slice(PREFIX.length))) {
    throw new TypeError('hub public key must look like ed25519:<43 base64url characters>');
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: s.slice(PREFIX.length) }, format: 'jwk' });
}

export function publicKeyFromPrivatePem(pem: string): string {
  return exportPublicKey(createPublicKey(createPrivateKey(pem)));
}

/** Short stable id of a public key: first 16 hex chars of sha256 of its text form. */
export function keyIdOf(publicKey: string): string {
  return createHash('sha256').update(publicKey.trim()).digest('hex').slice(0, 16);
}

/** The exact bytes that are signed: canonical JSON of the command without `sig` and `keyId`. [SPEC 6.3.1] */
export function signingBytes(cmd: UnsignedCommand): Buffer {
  const { v, id, instanceId, type, params, issuedAt, expiresAt, issuer } = cmd;
  return Buffer.from(canonicalJson({ v, id, instanceId, type, params, issuedAt, expiresAt, issuer }), 'utf8');
}

export function signCommand(cmd: UnsignedCommand, privateKeyPem: string): SignedCommand {
  const key = createPrivateKey(privateKeyPem);
  const sig = sign(null, signingBytes(cmd), key).toString('base64url');
  return { ...cmd, keyId: keyIdOf(exportPublicKey(createPublicKey(key))), sig };
}

export interface VerifyOptions {
  /** This sidecar's instance id. */
  instanceId: string;
  /** Trusted hub public keys (`ed25519:…`); more than one during a key rotation. */
  publicKeys: readonly string[];
  /** Current time, ms. */
  now: number;
  /** Whether a command id was already seen (the sidecar's on-disk journal). */
  seen: (id: string) => boolean;
  /** Tolerated clock skew for `issuedAt` in the future, ms (default 5 minutes). */
  maxSkewMs?: number;
}

export type VerifyResult =
  | { ok: true; command: SignedCommand }
  | { ok: false; reason: RejectReason; message: string; commandId?: string };

/**
 * Verifies a command as received from MQTT. Order matters and is normative: [SPEC 6.3.2]
 * shape, signature present, signature valid (any trusted key), instance, time window, replay.
 * Never throws.
 */
export function verifyCommand(raw: unknown, opts: VerifyOptions): VerifyResult {
  const parsed = signedCommandSchema.safeParse(raw);
  const commandId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
  if (!parsed.success)
    return { ok: false, reason: 'malformed', message: 'command does not match the schema', commandId };
  const cmd = parsed.data;
  if (!cmd.sig) return { ok: false, reason: 'missing_signature', message: 'command is not signed', commandId };
  let bytes: Buffer;
  let sig: Buffer;
  try {
    bytes = signingBytes(cmd);
    sig = Buffer.from(cmd.sig, 'base64url');
  } catch {
    return { ok: false, reason: 'malformed', message: 'command cannot be encoded', commandId };
  }
  if (sig.length !== 64)
    return { ok: false, reason: 'bad_signature', message: 'signature has the wrong length', commandId };
  let valid = false;
  let anyKey = false;
  for (const pk of opts.publicKeys) {
    let key: KeyObject;
    try {
      key = importPublicKey(pk);
    } catch {
      continue;
    }
    anyKey = true;
    if (verify(null, bytes, key, sig)) {
      valid = true;
      break;
    }
  }
  if (!anyKey) return { ok: false, reason: 'unknown_key', message: 'no trusted hub key configured', commandId };
  if (!valid)
    return {
      ok: false,
      reason: 'bad_signature',
      message: 'signature does not verify with a trusted hub key',
      commandId,
    };
  if (cmd.instanceId !== opts.instanceId) {
    return { ok: false, reason: 'wrong_instance', message: `command is for ${cmd.instanceId}`, commandId };
  }
  if (cmd.expiresAt <= opts.now) return { ok: false, reason: 'expired', message: 'command has expired', commandId };
  if (cmd.issuedAt > opts.now + (opts.maxSkewMs ?? 5 * 60_000)) {
    return { ok: false, reason: 'not_yet_valid', message: 'command is issued in the future', commandId };
  }
  if (opts.seen(cmd.id)) return { ok: false, reason: 'replayed', message: 'command id was already seen', commandId };
  return { ok: true, command: cmd };
}
