import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

/** A flat diff of two desired states: `path: before -> after` for every leaf that differs. */
export function diffDesired(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  prefix = '',
): { path: string; before: unknown; after: unknown }[] {
  const out: { path: string; before: unknown; after: unknown }[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of [...keys].sort()) {
    if (['guard', 'drain', 'drainSec', 'revision'].includes(k) && !prefix) continue;
    const a = before[k];
    const b = after[k];
    const path = prefix ? `${prefix}.${k}` : k;
    const isObj = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
    if (isObj(a) && isObj(b))
      out.push(...diffDesired(a as Record<string, unknown>, b as Record<string, unknown>, path));
    else if (JSON.stringify(a) !== JSON.stringify(b) && b !== undefined)
      out.push({ path, before: a ?? null, after: b });
  }
  return out;
}

/**
 * Config and model changes (config.apply, model.set), each with a diff of the desired state
 * against the one before it (params as stored: secrets are already redacted there).
 */
export const configChangesSource: TimelineSource = {
  kind: 'config',
  clientVisible: true,
  async fetch(query) {
    const args: unknown[] = [query.instanceId];
    const rows = await query.q.query(
      `SELECT id, type, params, status, issued_by, issued_at,
              (SELECT p.params FROM commands p WHERE p.instance_id = c.instance_id AND p.type = c.type
                 AND p.status = 'succeeded' AND p.issued_at < c.issued_at ORDER BY p.issued_at DESC LIMIT 1) AS prev
       FROM commands c
       WHERE c.instance_id = $1 AND c.type IN ('config.apply','model.set') AND ${windowSql('c.issued_at', query, args)}
       ORDER BY c.issued_at DESC, c.id DESC LIMIT ${query.limit}`,
      args,
    );
    return rows.map((r) => {
      const params = (r.params ?? {}) as Record<string, unknown>;
      const diff = diffDesired((r.prev ?? {}) as Record<string, unknown>, params);
      return {
        id: `config:${r.id}`,
        t: iso(r.issued_at),
        kind: 'config',
        title:
          r.type === 'model.set'
            ? `model set to ${String(params.model)} (${r.status})`
            : `configuration applied: ${diff.map((d) => d.path).join(', ') || 'no change'} (${r.status})`,
        actor: String(r.issued_by),
        status: String(r.status),
        detail: { commandId: r.id, type: r.type, diff },
        link: `/api/v1/commands/${r.id}`,
      };
    });
  },
};
