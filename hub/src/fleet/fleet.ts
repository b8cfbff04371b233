import { type ApiMetric, type InstanceStatus, type OpenclawState, openclawStateSchema } from '@deepsignal/protocol';
import type { Db } from '../db/index.js';
import { type LiveSink, nullSink, rooms } from '../live/sink.js';
import { statusOf } from './status.js';

/** The in-memory view of one instance that the fleet view and /metrics read. */
export interface InstanceSnapshot {
  id: string;
  clientId: string;
  hostname: string;
  presence: 'online' | 'offline' | null;
  lastSeen: Date | null;
  paused: boolean;
  metrics: Partial<Record<ApiMetric, number>>;
  metricsAt: Date | null;
  openclaw: OpenclawState | null;
  status: InstanceStatus;
}

interface InstanceRow {
  id: string;
  client_id: string;
  hostname: string;
  presence: string | null;
  last_seen: Date | string | null;
  paused: boolean;
  openclaw: unknown;
}

const toDate = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v : new Date(v));

/**
 * Latest state of every instance, kept in memory so the fleet view never scans time-series
 * tables; loaded from the database at start and kept current by ingest.
 */
export class Fleet {
  private readonly items = new Map<string, InstanceSnapshot>();
  private readonly dirtySeen = new Set<string>();
  private readonly lastLiveFrame = new Map<string, { t: number; sentAt: number }>();
  live: LiveSink = nullSink;
  /** Called when an instance's status changes (alert evaluation runs sooner). */
  onStatus: (s: InstanceSnapshot) => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly heartbeatMs: number,
  ) {}

  async load(): Promise<void> {
    const rows = await this.db.query<InstanceRow>(
      'SELECT id, client_id, hostname, presence, last_seen, paused, openclaw FROM instances',
    );
    for (const r of rows) this.add(r);
    // Latest sample per instance, so a restarted hub shows values before the next batch arrives.
    const latest = await this.db.query<Record<string, unknown>>(
      'SELECT DISTINCT ON (instance_id) * FROM metric_samples ORDER BY instance_id, t DESC',
    );
    for (const m of latest) {
      const s = this.items.get(String(m.instance_id));
      if (!s) continue;
      s.metricsAt = toDate(m.t as Date);
      for (const [k, v] of Object.entries(m)) if (typeof v === 'number') s.metrics[k as ApiMetric] = v;
    }
  }

  add(r: InstanceRow): InstanceSnapshot {
    const oc = openclawStateSchema.safeParse(r.openclaw);
    const s: InstanceSnapshot = {
      id: r.id,
      clientId: r.client_id,
      hostname: r.hostname,
      presence: r.presence === 'online' || r.presence === 'offline' ? r.presence : null,
      lastSeen: toDate(r.last_seen),
      paused: r.paused,
      metrics: {},
      metricsAt: null,
      openclaw: oc.success ? oc.data : null,
      status: 'provisioning',
    };
    s.status = statusOf(s, Date.now(), this.heartbeatMs);
    this.items.set(s.id, s);
    return s;
  }

  get(id: string): InstanceSnapshot | undefined {
    return this.items.get(id);
  }

  list(): InstanceSnapshot[] {
    return [...this.items.values()];
  }

  remove(id: string): void {
    this.items.delete(id);
    this.lastLiveFrame.delete(id);
  }

  private to(s: InstanceSnapshot): string[] {
    return [rooms.fleet, rooms.client(s.clientId), rooms.instance(s.id)];
  }

  /** Something arrived from the instance: it is alive. */
  touch(id: string, at = new Date()): void {
    const s = this.items.get(id);
    if (!s) return;
    s.lastSeen = at;
    this.dirtySeen.add(id);
    this.refresh(s);
  }

  async setPresence(id: string, presence: 'online' | 'offline'): Promise<void> {
    const s = this.items.get(id);
    if (!s) return;
    s.presence = presence;
    if (presence === 'online') s.lastSeen = new Date();
    this.refresh(s);
    await this.db.query('UPDATE instances SET presence = $2, last_seen = COALESCE($3, last_seen) WHERE id = $1', [
      id,
      presence,
      presence === 'online' ? s.lastSeen : null,
    ]);
  }

  setPaused(id: string, paused: boolean): void {
    const s = this.items.get(id);
    if (!s) return;
    s.paused = paused;
    this.refresh(s);
  }

  /** The newest committed sample's API values: the snapshot the API and the status rules use. */
  setMetrics(id: string, values: Partial<Record<ApiMetric, number>>, t: Date): void {
    const s = this.items.get(id);
    if (!s || (s.metricsAt && s.metricsAt > t)) return;
    s.metrics = values;
    s.metricsAt = t;
  }

  /**
   * A live `metrics` frame for a sample as it arrives, before its commit, so a browser sees it
   * without waiting for the database; the snapshot follows at the commit (`setMetrics`). A sample
   * no newer than the last frame (a replay, a duplicate) is not sent; at most one frame per
   * second per instance.
   */
  liveMetrics(id: string, values: Partial<Record<ApiMetric, number>>, t: Date): void {
    const s = this.items.get(id);
    if (!s) return;
    const last = this.lastLiveFrame.get(id);
    const now = Date.now();
    if (last && (last.t >= t.getTime() || now - last.sentAt < 1000)) return;
    this.lastLiveFrame.set(id, { t: t.getTime(), sentAt: now });
    this.live.emit(this.to(s), 'metrics', { instanceId: id, t: t.toISOString(), values }, true);
  }

  setOpenclaw(id: string, state: OpenclawState): void {
    const s = this.items.get(id);
    if (!s) return;
    s.openclaw = state;
    this.live.emit(this.to(s), 'instance.openclaw', { instanceId: id, openclaw: state });
    this.refresh(s);
  }

  /** Recomputes a status and announces a change. */
  refresh(s: InstanceSnapshot, now = Date.now()): void {
    const next = statusOf(s, now, this.heartbeatMs);
    if (next === s.status) return;
    s.status = next;
    this.onStatus(s);
    this.announce(s);
  }

  /**
   * Tells this hub's browsers an instance's status. Also for an instance this hub just learnt
   * of from the database (created through another hub): its row may already say what the other
   * hub saw, so no change would announce it here.
   */
  announce(s: InstanceSnapshot): void {
    this.live.emit(this.to(s), 'instance.status', {
      instanceId: s.id,
      clientId: s.clientId,
      status: s.status,
      lastSeen: s.lastSeen?.toISOString() ?? null,
    });
  }

  /** Periodic: heartbeat-age transitions and persisting lastSeen in one statement. */
  async tick(): Promise<void> {
    const now = Date.now();
    for (const s of this.items.values()) this.refresh(s, now);
    if (this.dirtySeen.size === 0) return;
    const ids = [...this.dirtySeen].sort();
    this.dirtySeen.clear();
    const seen = ids.map((id) => this.items.get(id)?.lastSeen ?? new Date());
    // Rows locked in id order, as the ingest's instance updates lock them: no deadlock between the two.
    await this.db.query(
      `WITH u AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS u(id, seen)),
         l AS (SELECT i.id FROM instances i WHERE i.id IN (SELECT id FROM u) ORDER BY i.id FOR UPDATE)
       UPDATE instances i SET last_seen = u.seen FROM u
       WHERE i.id = u.id AND i.id IN (SELECT id FROM l) AND (i.last_seen IS NULL OR i.last_seen < u.seen)`,
      [ids, seen.map((d) => d.toISOString())],
    );
  }
}
