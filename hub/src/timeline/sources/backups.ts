import type { TimelineSource } from '../types.js';
import { iso, windowSql } from '../types.js';

/** Backups taken, and restores (commands of type backup.restore). */
export const backupsSource: TimelineSource = {
  kind: 'backup',
  clientVisible: true,
  async fetch(query) {
    const args: unknown[] = [query.instanceId];
    const backups = await query.q.query(
      `SELECT id, status, size, scheduled, error, created_by, created_at, completed_at FROM backups
       WHERE instance_id = $1 AND ${windowSql('created_at', query, args)}
       ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`,
      args,
    );
    const args2: unknown[] = [query.instanceId];
    const restores = await query.q.query(
      `SELECT id, status, issued_by, issued_at FROM commands
       WHERE instance_id = $1 AND type = 'backup.restore' AND ${windowSql('issued_at', query, args2)}
       ORDER BY issued_at DESC, id DESC LIMIT ${query.limit}`,
      args2,
    );
    return [
      ...backups.map((r) => ({
        id: `backup:${r.id}`,
        t: iso(r.created_at),
        kind: 'backup',
        title: `${r.scheduled ? 'scheduled ' : ''}backup ${r.status}`,
        actor: String(r.created_by),
        status: String(r.status),
        detail: {
          backupId: r.id,
          size: r.size === null ? null : Number(r.size),
          completedAt: r.completed_at ? iso(r.completed_at) : null,
          ...(r.error ? { error: r.error } : {}),
        },
        link: null,
      })),
      ...restores.map((r) => ({
        id: `backup:restore:${r.id}`,
        t: iso(r.issued_at),
        kind: 'backup',
        title: `restore from backup ${r.status}`,
        actor: String(r.issued_by),
        status: String(r.status),
        detail: { commandId: r.id },
        link: `/api/v1/commands/${r.id}`,
      })),
    ];
  },
};
