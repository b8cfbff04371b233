import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { RolloutTarget } from './plan.js';

/** A target that names instances the hub does not know. */
export class UnknownTargetError extends Error {}

/** Whether an instance can take a command now (connected and heard from recently). */
export function isOnline(fleet: Fleet, id: string): boolean {
  const s = fleet.get(id);
  return !!s && s.presence === 'online' && s.status !== 'offline';
}

/**
 * The instance ids a target names, in a stable order. A selector matches every given field:
 * the client's plan, a label (`key=value`, or `key` for any value) and the reported OpenClaw version.
 */
export async function resolveTarget(db: Db, fleet: Fleet, target: RolloutTarget): Promise<string[]> {
  if ('ids' in target) {
    const ids = [...new Set(target.ids)];
    const unknown = ids.filter((id) => !fleet.get(id));
    if (unknown.length > 0) throw new UnknownTargetError(`unknown instances: ${unknown.slice(0, 5).join(', ')}`);
    return ids;
  }
  if ('all' in target)
    return fleet
      .list()
      .map((s) => s.id)
      .sort();
  const { plan, label, openclawVersion } = target.selector;
  const [labelKey, labelValue] = label ? splitLabel(label) : [null, null];
  const rows = await db.query<{ id: string }>(
    `SELECT i.id FROM instances i JOIN clients c ON c.id = i.client_id
     WHERE ($1::text IS NULL OR c.plan = $1)
       AND ($2::text IS NULL OR i.labels ? $2)
       AND ($3::text IS NULL OR i.labels->>$2 = $3)
       AND ($4::text IS NULL OR i.openclaw_version = $4 OR i.openclaw->>'version' = $4)
     ORDER BY i.id`,
    [plan ?? null, labelKey, labelValue, openclawVersion ?? null],
  );
  return rows.map((r) => r.id);
}

/** `key=value` -> [key, value]; `key` -> [key, null]. */
export function splitLabel(label: string): [string, string | null] {
  const eq = label.indexOf('=');
  return eq < 0 ? [label.trim(), null] : [label.slice(0, eq).trim(), label.slice(eq + 1).trim()];
}
