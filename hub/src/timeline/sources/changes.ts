import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

const TITLES: Record<string, string> = {
  applied: 'change passed its health check',
  rolled_back: 'change rolled back automatically',
  rollback_failed: 'change failed and its rollback did not restore health',
  restored: 'rolled back by hand to this snapshot',
};

/** Snapshots before guarded changes, and how each change ended (applied, rolled back, restored). */
export const changesSource: TimelineSource = {
  kind: 'change',
  clientVisible: true,
  async fetch(query) {
    const args: unknown[] = [query.instanceId];
    const rows = await query.q.query(
      `SELECT id, command_id, command_type, taken_at, info, outcome, failed_check, checks, restored_by FROM change_snapshots
       WHERE instance_id = $1 AND ${windowSql('taken_at', query, args)}
       ORDER BY taken_at DESC, id DESC LIMIT ${query.limit}`,
      args,
    );
    return rows.map((r) => ({
      id: `change:${r.id}`,
      t: iso(r.taken_at),
      kind: 'change',
      title: `${r.command_type}: ${TITLES[String(r.outcome)] ?? r.outcome}${r.failed_check ? ` (failed check: ${r.failed_check})` : ''}`,
      actor: null,
      status: String(r.outcome),
      detail: {
        snapshotId: r.id,
        commandId: r.command_id,
        snapshot: r.info,
        failedCheck: r.failed_check ?? null,
        ...((r.checks as Record<string, unknown> | null) ?? {}),
        restoredBy: r.restored_by ?? null,
      },
      link: `/api/v1/commands/${r.command_id}`,
    }));
  },
};
