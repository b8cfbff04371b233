import { createHash } from 'node:crypto';
import { hashSecret, verifySecret } from '../auth/password.js';
import type { Db } from '../db/index.js';
import { mosquittoHash } from './mosquitto.js';

/**
 * Checks an instance's MQTT password against the stored slow hash. [SPEC 2.6]
 * Unknown ids still cost one hash, so timing does not reveal which ids exist.
 */
export async function verifyInstanceSecret(db: Db, instanceId: string, secret: string): Promise<boolean> {
  const rows = await db.query<{ secret_hash: string; next_secret_hash: string | null }>(
    'SELECT secret_hash, next_secret_hash FROM instance_credentials WHERE instance_id = $1',
    [instanceId],
  );
  const stored = rows[0]?.secret_hash ?? DUMMY;
  if (rows.length > 0 && recentlyVerified(stored, secret)) return true;
  const ok = await verifySecret(secret, stored);
  if (ok && rows.length > 0) remember(stored, secret);
  if (ok || !rows[0]?.next_secret_hash) return ok && rows.length > 0;
  // [SPEC 6.6] A staged secret (credentials.rotate) is valid too; its first use retires the old one.
  const next = rows[0].next_secret_hash;
  if (!(await verifySecret(secret, next))) return false;
  await db.query(
    `UPDATE instance_credentials SET secret_hash = next_secret_hash, next_secret_hash = NULL, rotated_at = now(),
       mosquitto_hash = coalesce(next_mosquitto_hash, mosquitto_hash), next_mosquitto_hash = NULL
     WHERE instance_id = $1 AND next_secret_hash = $2`,
    [instanceId, next],
  );
  remember(next, secret);
  return true;
}

/**
 * Stages a new MQTT secret for an instance (credentials.rotate): both secrets are accepted until
 * the sidecar logs in with the new one. Only the slow hash is stored. [SPEC 6.6]
 */
export async function stageInstanceSecret(q: Pick<Db, 'query'>, instanceId: string, secret: string): Promise<void> {
  await q.query(
    'UPDATE instance_credentials SET next_secret_hash = $2, next_mosquitto_hash = $3 WHERE instance_id = $1',
    [instanceId, await hashSecret(secret), mosquittoHash(secret)],
  );
}

/**
 * Reconnect storms (a hub restart, a network blip) would otherwise cost one scrypt per instance:
 * minutes of CPU for thousands of sidecars. A successful check is remembered for a while, keyed
 * by a fast hash of (stored hash, secret): a rotated secret changes the stored hash and misses.
 * Only successes are cached, so a wrong password always pays the full cost.
 */
const VERIFIED_TTL_MS = 6 * 3_600_000;
const VERIFIED_MAX = 50_000;
const verified = new Map<string, number>();

function cacheKey(stored: string, secret: string): string {
  return createHash('sha256').update(stored).update('\0').update(secret).digest('base64');
}

function recentlyVerified(stored: string, secret: string): boolean {
  const key = cacheKey(stored, secret);
  const until = verified.get(key);
  if (until === undefined) return false;
  if (until < Date.now()) {
    verified.delete(key);
    return false;
  }
  return true;
}

function remember(stored: string, secret: string): void {
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
  verified.set(cacheKey(stored, secret), Date.now() + VERIFIED_TTL_MS);
}

const DUMMY = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
