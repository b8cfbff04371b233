import { audit } from '../commands/audit.js';
import type { Issuer } from '../commands/service.js';
import type { Db } from '../db/index.js';
import { type LiveSink, nullSink, rooms } from '../live/sink.js';
import { newId } from '../util/ids.js';

/** An operator broadcast as the API and the live `announcement` event carry it. */
export interface Announcement {
  id: string;
  title: string;
  body: string;
  level: 'info' | 'warning' | 'critical';
  createdAt: string;
  /** Clients it is shown to; null = every client. */
  clientIds: string[] | null;
  rolloutId: string | null;
}

const LEVELS = new Set(['info', 'warning', 'critical']);

function toView(r: Record<string, unknown>): Announcement {
  const level = String(r.level);
  return {
    id: String(r.id),
    title: String(r.title),
    body: String(r.body),
    level: (LEVELS.has(level) ? level : 'info') as Announcement['level'],
    createdAt: new Date(r.created_at as string).toISOString(),
    clientIds: (r.client_ids as string[] | null) ?? null,
    rolloutId: (r.rollout_id as string | null) ?? null,
  };
}

/** Broadcast messages shown on client dashboards: stored, then sent live to the targeted clients' rooms. */
export class AnnouncementService {
  live: LiveSink = nullSink;

  constructor(private readonly db: Db) {}

  async create(
    input: { title: string; body: string; level?: string },
    issuer: Issuer,
    clientIds: string[] | null,
    rolloutId: string | null = null,
  ): Promise<Announcement> {
    const rows = await this.db.query(
      `INSERT INTO announcements (id, title, body, level, client_ids, rollout_id, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
      [
        newId('ann'),
        input.title,
        input.body,
        input.level ?? 'info',
        clientIds ? JSON.stringify(clientIds) : null,
        rolloutId,
        issuer.userId,
      ],
    );
    const a = toView(rows[0]);
    await audit(this.db, `user:${issuer.userId}`, 'announcement.create', a.id, null, {
      title: a.title,
      level: a.level,
      clientIds,
      ...(rolloutId ? { rolloutId } : {}),
    });
    const { clientIds: _c, rolloutId: _r, ...payload } = a;
    const to = clientIds ? clientIds.map(rooms.client) : [rooms.fleet, ...(await this.allClientRooms())];
    if (to.length > 0) this.live.emit(to, 'announcement', payload);
    return a;
  }

  private async allClientRooms(): Promise<string[]> {
    return (await this.db.query<{ id: string }>('SELECT id FROM clients')).map((r) => rooms.client(r.id));
  }

  /** Recent announcements a client (or, with null, the operator: all) sees, newest first. */
  /** Announcements reaching any of the given clients (null: all of them). */
  async list(clients: string | readonly string[] | null, limit = 20): Promise<Announcement[]> {
    const ids = typeof clients === 'string' ? [clients] : clients;
    const rows = await this.db.query(
      `SELECT * FROM announcements WHERE $1::text[] IS NULL OR client_ids IS NULL OR client_ids ?| $1::text[]
       ORDER BY created_at DESC LIMIT $2`,
      [ids, limit],
    );
    return rows.map(toView);
  }
}
