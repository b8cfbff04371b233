import type { HelloMessage, StatusMessage } from '@deepsignal/protocol';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';

/** status -> presence on the instance row and the snapshot. [SPEC 5.1, 8] */
export async function applyStatus(_db: Db, fleet: Fleet, instanceId: string, m: StatusMessage): Promise<void> {
  await fleet.setPresence(instanceId, m.state);
}

/** hello -> versions and capabilities on the instance row. [SPEC 5.2] */
export async function applyHello(db: Db, fleet: Fleet, instanceId: string, m: HelloMessage): Promise<void> {
  const { v, id, instanceId: _i, bootId, seq, base, ts, ...info } = m;
  await db.query(
    `UPDATE instances SET sidecar_version = $2, openclaw_version = COALESCE($3, openclaw_version),
       capabilities = $4, hello = $5, presence = 'online', last_seen = now() WHERE id = $1`,
    [
      instanceId,
      m.sidecarVersion,
      m.openclawVersion,
      JSON.stringify(m.capabilities),
      JSON.stringify({ ...info, bootId }),
    ],
  );
  const s = fleet.get(instanceId);
  if (s && s.presence !== 'online') await fleet.setPresence(instanceId, 'online');
}
