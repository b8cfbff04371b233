import { hashSecret } from '../auth/password.js';
import { mosquittoHash } from '../broker/mosquitto.js';
import { audit } from '../commands/audit.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { newSecret } from '../util/ids.js';

/** Creates the instance record a deployment fills (no credentials yet: those come with the server). */
export async function createInstanceRecord(
  db: Db,
  fleet: Fleet,
  o: { id: string; clientId: string; hostname: string; actor: string },
) {
  const rows = await db.tx(async (q) => {
    const r = await q.query<{
      id: string;
      client_id: string;
      hostname: string;
      presence: null;
      last_seen: null;
      paused: boolean;
      openclaw: null;
    }>(
      `INSERT INTO instances (id, client_id, hostname, labels) VALUES ($1,$2,$3,$4)
       ON CONFLICT (id) DO NOTHING RETURNING id, client_id, hostname, presence, last_seen, paused, openclaw`,
      [o.id, o.clientId, o.hostname, JSON.stringify({ provider: 'hetzner' })],
    );
    if (r[0]) await audit(q, o.actor, 'instance.create', o.id, o.clientId, { hostname: o.hostname, via: 'deployment' });
    return r;
  });
  if (rows[0]) fleet.add(rows[0]);
}

/**
 * A fresh MQTT secret for an instance whose server does not exist yet (only its hash is kept, so
 * a resumed deployment that must create the server again makes a new one).
 */
export async function issueInstanceSecret(db: Db, instanceId: string): Promise<string> {
  const secret = newSecret();
  const hash = await hashSecret(secret);
  await db.query(
    `INSERT INTO instance_credentials (instance_id, secret_hash, mosquitto_hash) VALUES ($1,$2,$3)
     ON CONFLICT (instance_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, mosquitto_hash = EXCLUDED.mosquitto_hash,
       next_secret_hash = NULL, next_mosquitto_hash = NULL, rotated_at = now()`,
    [instanceId, hash, mosquittoHash(secret)],
  );
  return secret;
}

/** Removes an instance record and its credentials (telemetry stays until retention prunes it). */
export async function deleteInstanceRecord(db: Db, fleet: Fleet, instanceId: string, actor: string, action: string) {
  const rows = await db.query<{ client_id: string }>('DELETE FROM instances WHERE id = $1 RETURNING client_id', [
    instanceId,
  ]);
  fleet.remove(instanceId);
  if (rows[0]) await audit(db, actor, action, instanceId, rows[0].client_id);
}
