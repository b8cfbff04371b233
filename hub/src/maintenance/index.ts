import type { Db } from '../db/index.js';
import { newId } from '../util/ids.js';
import { nextStart, occurrenceAt, type WindowSpec } from './recurrence.js';

export { isTimeZone } from './recurrence.js';

/** A maintenance window as the API shows it. */
export interface MaintenanceWindow extends WindowSpec {
  id: string;
  clientId: string;
  name: string;
  ruleIds: string[];
  createdBy: string;
  createdAt: string;
}

/** An open occurrence of a window. */
export interface OpenWindow {
  window: MaintenanceWindow;
  start: Date;
  end: Date;
}

type Row = Record<string, unknown>;
const toWindow = (r: Row): MaintenanceWindow => ({
  id: String(r.id),
  clientId: String(r.client_id),
  name: String(r.name),
  timeZone: String(r.time_zone),
  startDate: String(r.start_date),
  startTime: String(r.start_time),
  durationMin: Number(r.duration_min),
  days: (r.days as number[]) ?? [],
  untilDate: (r.until_date as string | null) ?? null,
  ruleIds: (r.rule_ids as string[]) ?? [],
  createdBy: String(r.created_by),
  createdAt: new Date(r.created_at as string).toISOString(),
});

export type NewWindow = Omit<MaintenanceWindow, 'id' | 'createdAt'>;

/**
 * Maintenance windows per client, cached in memory (they change rarely and are read on every
 * alert evaluation and by scheduled changes): `activeWindow` and `nextWindowStart` never query.
 */
export class Maintenance {
  private byClient = new Map<string, MaintenanceWindow[]>();

  constructor(private readonly db: Db) {}

  async load(): Promise<void> {
    const rows = await this.db.query<Row>('SELECT * FROM maintenance_windows ORDER BY created_at');
    const next = new Map<string, MaintenanceWindow[]>();
    for (const w of rows.map(toWindow)) next.set(w.clientId, [...(next.get(w.clientId) ?? []), w]);
    this.byClient = next;
  }

  list(clientId?: string | null): MaintenanceWindow[] {
    if (clientId) return this.byClient.get(clientId) ?? [];
    return [...this.byClient.values()].flat();
  }

  get(id: string): MaintenanceWindow | undefined {
    return this.list().find((w) => w.id === id);
  }

  /** The window open for a client at `at` (for `ruleId` when given: one that names it or all rules). */
  activeWindow(clientId: string, at: Date = new Date(), ruleId?: string): OpenWindow | null {
    for (const w of this.byClient.get(clientId) ?? []) {
      if (ruleId && w.ruleIds.length && !w.ruleIds.includes(ruleId)) continue;
      const o = occurrenceAt(w, at.getTime());
      if (o) return { window: w, start: new Date(o.start), end: new Date(o.end) };
    }
    return null;
  }

  /** The earliest start of any of the client's windows after `after`, or null. */
  nextWindowStart(clientId: string, after: Date = new Date()): { window: MaintenanceWindow; start: Date } | null {
    let best: { window: MaintenanceWindow; start: Date } | null = null;
    for (const w of this.byClient.get(clientId) ?? []) {
      const s = nextStart(w, after.getTime());
      if (s !== null && (!best || s < best.start.getTime())) best = { window: w, start: new Date(s) };
    }
    return best;
  }

  async create(w: NewWindow): Promise<MaintenanceWindow> {
    const rows = await this.db.query<Row>(
      `INSERT INTO maintenance_windows (id, client_id, name, time_zone, start_date, start_time, duration_min, days,
         until_date, rule_ids, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8::jsonb,$9,$10::jsonb,$11) RETURNING *`,
      [
        newId('mw'),
        w.clientId,
        w.name,
        w.timeZone,
        w.startDate,
        w.startTime,
        w.durationMin,
        JSON.stringify(w.days),
        w.untilDate,
        JSON.stringify(w.ruleIds),
        w.createdBy,
      ],
    );
    await this.load();
    return toWindow(rows[0]);
  }

  async update(id: string, patch: Partial<NewWindow>): Promise<MaintenanceWindow | null> {
    const cur = this.get(id);
    if (!cur) return null;
    const w = { ...cur, ...patch };
    await this.db.query(
      `UPDATE maintenance_windows SET name=$2, time_zone=$3, start_date=$4, start_time=$5, duration_min=$6,
         days=$7::jsonb, until_date=$8, rule_ids=$9::jsonb WHERE id=$1`,
      [
        id,
        w.name,
        w.timeZone,
        w.startDate,
        w.startTime,
        w.durationMin,
        JSON.stringify(w.days),
        w.untilDate,
        JSON.stringify(w.ruleIds),
      ],
    );
    await this.load();
    return this.get(id) ?? null;
  }

  async remove(id: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM maintenance_windows WHERE id = $1 RETURNING id', [id]);
    await this.load();
    return rows.length > 0;
  }
}
