import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Maintenance } from '../maintenance/index.js';
import { BUILTIN_RULES } from './builtins.js';
import { compareVersions, evaluateRule } from './conditions.js';
import { emptyData, loadStoredData, type StoredData } from './data.js';
import { alertId, renderTemplate } from './fingerprint.js';
import { silences } from './matchers.js';
import { saveAlerts, saveHistory, seedBuiltins, type Transition, toAlert, toRule, toSilence } from './store.js';
import type { Alert, AlertRule, Muting, Series, Silence } from './types.js';

export interface EngineOptions {
  db: Db;
  fleet: Fleet;
  maintenance: Maintenance;
  log: Logger;
  /** How often stored data (logs, conversations, backups) is re-read, in ms. */
  dataRefreshMs: number;
  /** Certificates whose expiry the hub watches. */
  certFiles: { what: string; file: string }[];
  /** Resolved alerts are forgotten from memory (and the table) after this long. */
  keepResolvedMs?: number;
  /** Public URL of the hub, for links in annotations (`{{hub_url}}`). */
  hubUrl?: () => string;
}

/**
 * Evaluates every rule over the fleet state kept in memory plus periodically re-read stored data,
 * and moves each alert through inactive → pending → firing → resolved with Prometheus semantics
 * (`for`, `keep_firing_for`). Only changed alerts are written, in one statement per cycle; the
 * whole state is loaded back at start, so a restart neither forgets nor repeats an alert.
 */
export class AlertEngine {
  readonly rules = new Map<string, AlertRule>();
  readonly alerts = new Map<string, Alert>();
  silenceList: Silence[] = [];
  data: StoredData = emptyData();
  /** Alerts acknowledged (or taken back) through this hub since the last read of the rows. */
  private readonly ackedHere = new Set<string>();
  /** The clock; tests replace it. */
  now: () => number = Date.now;
  /** Called after each evaluation with the transitions it made. */
  onTransitions: (ts: Transition[]) => void = () => {};

  constructor(private readonly o: EngineOptions) {}

  async load(): Promise<void> {
    await seedBuiltins(this.o.db);
    await this.mirror();
  }

  /**
   * The whole state as the database has it: what a hub that does not evaluate (another hub holds
   * the fleet-wide jobs' lease) serves its API from, refreshed every cycle.
   */
  async mirror(): Promise<void> {
    await this.reloadRules();
    const rows = await this.o.db.query('SELECT * FROM alert_instances');
    this.alerts.clear();
    for (const r of rows) {
      const a = toAlert(r);
      this.alerts.set(a.id, a);
    }
    await this.reloadSilences();
  }

  /**
   * Before each evaluation: what people changed through any hub's API since the last one (rules,
   * silences, who acknowledged what), so the evaluating hub neither uses an old rule nor writes an
   * acknowledgement away.
   */
  async refreshShared(): Promise<void> {
    await this.reloadRules();
    await this.reloadSilences();
    // An acknowledgement made on this hub while the rows were read is newer than what was read.
    this.ackedHere.clear();
    const acked = new Map(
      (
        await this.o.db.query<{ id: string; acked_by: string | null; acked_at: string | Date | null }>(
          'SELECT id, acked_by, acked_at FROM alert_instances WHERE acked_by IS NOT NULL',
        )
      ).map((r) => [r.id, r]),
    );
    for (const a of this.alerts.values()) {
      if (this.ackedHere.has(a.id)) continue;
      const r = acked.get(a.id);
      a.ackedBy = r?.acked_by ?? null;
      a.ackedAt = r?.acked_at ? new Date(r.acked_at) : null;
    }
  }

  /**
   * Records (or clears, `by` null) who is on a firing alert, in memory and in its row. The row is
   * written only while the alert still fires, so an acknowledgement racing the cycle that resolves
   * the alert does not outlive the episode. Returns false when the alert no longer fires.
   */
  async acknowledge(a: Alert, by: string | null, at: Date | null): Promise<boolean> {
    if (by && a.state !== 'firing') return false;
    this.ackedHere.add(a.id);
    a.ackedBy = by;
    a.ackedAt = by ? at : null;
    // 'pending' too: the cycle that made the alert fire may not have written its row yet.
    const rows = await this.o.db.query(
      `UPDATE alert_instances SET acked_by = $2, acked_at = $3, updated_at = now()
       WHERE id = $1 AND (state IN ('pending', 'firing') OR $2::text IS NULL) RETURNING id`,
      [a.id, a.ackedBy, a.ackedAt],
    );
    if (rows.length === 1 || by === null) return true;
    a.ackedBy = null;
    a.ackedAt = null;
    return false;
  }

  async reloadRules(): Promise<void> {
    const rows = await this.o.db.query('SELECT * FROM alert_rules ORDER BY builtin DESC, id');
    this.rules.clear();
    for (const r of rows) this.rules.set(String(r.id), toRule(r));
  }

  async reloadSilences(): Promise<void> {
    const rows = await this.o.db.query('SELECT * FROM alert_silences WHERE ends_at > $1', [
      new Date(this.now()).toISOString(),
    ]);
    this.silenceList = rows.map(toSilence);
  }

  /** One evaluation of every rule at the clock's `now`; returns the transitions made. */
  async evaluate(): Promise<Transition[]> {
    const now = this.now();
    if (now - this.data.at >= this.o.dataRefreshMs || now < this.data.at) {
      try {
        this.data = await loadStoredData(this.o.db, now, this.o.certFiles);
      } catch (e) {
        this.o.log.warn({ err: e }, 'alert data could not be read; rules on stored data keep their last values');
      }
    }
    const fleet = this.o.fleet.list();
    let latest: string | null = null;
    for (const v of this.data.sidecarVersions.values()) if (!latest || compareVersions(v, latest) > 0) latest = v;

    const at = new Date(now);
    const transitions: Transition[] = [];
    const changed = new Set<Alert>();
    const gone: string[] = [];
    const move = (a: Alert, to: Alert['state']) => {
      transitions.push({ alert: a, from: a.state, to, at });
      a.state = to;
      // An acknowledgement covers one firing episode: resolving or starting over clears it.
      if (to === 'resolved' || to === 'pending' || to === 'inactive') {
        a.ackedBy = null;
        a.ackedAt = null;
      }
      changed.add(a);
    };
    const seen = new Set<string>();
    for (const rule of this.rules.values()) {
      const series = rule.enabled ? evaluateRule(rule, fleet, this.data, now, latest) : [];
      for (const s of series) {
        const a = this.upsert(rule, s, changed);
        seen.add(a.id);
        if (s.nodata) {
          if (a.state !== 'firing' && a.state !== 'nodata') move(a, 'nodata');
          continue;
        }
        a.lastTrueAt = at;
        if (a.state !== 'pending' && a.state !== 'firing') {
          a.activeAt = at;
          a.firedAt = null;
          a.resolvedAt = null;
          move(a, 'pending');
        }
        if (a.state === 'pending' && now - (a.activeAt?.getTime() ?? now) >= rule.forSec * 1000) {
          a.firedAt = at;
          move(a, 'firing');
        }
      }
    }
    const keepResolved = this.o.keepResolvedMs ?? 24 * 3_600_000;
    for (const a of this.alerts.values()) {
      if (seen.has(a.id)) continue;
      const rule = this.rules.get(a.ruleId);
      if (a.state === 'pending' || a.state === 'nodata') {
        move(a, 'inactive');
        this.alerts.delete(a.id);
        changed.delete(a);
        gone.push(a.id);
      } else if (a.state === 'firing') {
        const keep = (rule?.enabled ? rule.keepFiringSec : 0) * 1000;
        if (keep && now - (a.lastTrueAt?.getTime() ?? 0) < keep) continue;
        a.resolvedAt = at;
        move(a, 'resolved');
      } else if (a.state === 'resolved' && now - (a.resolvedAt?.getTime() ?? now) > keepResolved) {
        this.alerts.delete(a.id);
        gone.push(a.id);
      }
    }
    await saveAlerts(this.o.db, [...changed], gone);
    await saveHistory(this.o.db, transitions);
    if (transitions.length) this.onTransitions(transitions);
    return transitions;
  }

  /** The alert for a series, created inactive when new; labels and annotations refreshed. */
  private upsert(rule: AlertRule, s: Series, changed: Set<Alert>): Alert {
    const labels = { alertname: rule.id, severity: rule.severity, ...rule.labels, ...s.labels };
    const id = alertId(labels);
    let a = this.alerts.get(id);
    if (!a) {
      a = {
        id,
        ruleId: rule.id,
        labels,
        annotations: {},
        clientId: s.clientId,
        instanceId: s.instanceId,
        state: 'inactive',
        severity: rule.severity,
        value: null,
        activeAt: null,
        firedAt: null,
        resolvedAt: null,
        lastTrueAt: null,
        ackedBy: null,
        ackedAt: null,
      };
      this.alerts.set(id, a);
    }
    const annotations = this.annotate(rule, s);
    if (a.value !== s.value || JSON.stringify(annotations) !== JSON.stringify(a.annotations)) {
      a.value = s.value;
      a.annotations = annotations;
      changed.add(a);
    }
    return a;
  }

  private annotate(rule: AlertRule, s: Series): Record<string, string> {
    const values = {
      ...s.vars,
      ...s.labels,
      hub_url: (this.o.hubUrl?.() ?? '').replace(/\/+$/, ''),
      instance: s.instanceId,
      client: s.clientId,
      hostname: s.hostname ?? s.instanceId ?? 'the hub',
      value: s.value,
      threshold: rule.threshold,
    };
    const tpl = { ...BUILTIN_RULES[rule.kind].annotations, ...rule.annotations };
    return Object.fromEntries(Object.entries(tpl).map(([k, v]) => [k, renderTemplate(v, values)]));
  }

  /** Why a firing alert is not notified now: silences, inhibition by instance_offline, a maintenance window. */
  muting(a: Alert, now = this.now()): Muting {
    const silencedBy = this.silenceList.filter((s) => silences(s, a.labels, now)).map((s) => s.id);
    let inhibitedBy: string | null = null;
    if (a.instanceId && this.rules.get(a.ruleId)?.kind !== 'instance_offline') {
      const source = [...this.alerts.values()].find(
        (x) =>
          x.state === 'firing' &&
          x.instanceId === a.instanceId &&
          this.rules.get(x.ruleId)?.kind === 'instance_offline',
      );
      inhibitedBy = source?.id ?? null;
    }
    const w = a.clientId ? this.o.maintenance.activeWindow(a.clientId, new Date(now), a.ruleId) : null;
    return { silencedBy, inhibitedBy, maintenance: w?.window.id ?? null };
  }

  /** Firing alerts with their muting, the input of notification. */
  firing(now = this.now()): { alert: Alert; muting: Muting; muted: boolean }[] {
    const offline = new Map<string, string>();
    for (const x of this.alerts.values())
      if (x.state === 'firing' && x.instanceId && this.rules.get(x.ruleId)?.kind === 'instance_offline')
        offline.set(x.instanceId, x.id);
    const out: { alert: Alert; muting: Muting; muted: boolean }[] = [];
    for (const a of this.alerts.values()) {
      if (a.state !== 'firing') continue;
      const silencedBy = this.silenceList.length
        ? this.silenceList.filter((s) => silences(s, a.labels, now)).map((s) => s.id)
        : [];
      const inhibitedBy =
        a.instanceId && this.rules.get(a.ruleId)?.kind !== 'instance_offline'
          ? (offline.get(a.instanceId) ?? null)
          : null;
      const w = a.clientId ? this.o.maintenance.activeWindow(a.clientId, new Date(now), a.ruleId) : null;
      const muting = { silencedBy, inhibitedBy, maintenance: w?.window.id ?? null };
      out.push({
        alert: a,
        muting,
        muted: silencedBy.length > 0 || inhibitedBy !== null || muting.maintenance !== null,
      });
    }
    return out;
  }
}
