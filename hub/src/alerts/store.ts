import type { Db } from '../db/index.js';
import { BUILTIN_RULES } from './builtins.js';
import type { Alert, AlertRule, AlertState, RuleKind, Severity, Silence } from './types.js';

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

export const toRule = (r: Row): AlertRule => ({
  id: String(r.id),
  kind: r.kind as RuleKind,
  name: String(r.name),
  enabled: Boolean(r.enabled),
  builtin: Boolean(r.builtin),
  threshold: r.threshold === null ? null : Number(r.threshold),
  forSec: Number(r.for_sec),
  keepFiringSec: Number(r.keep_firing_sec),
  severity: r.severity as Severity,
  labels: (r.labels as Record<string, string>) ?? {},
  annotations: (r.annotations as Record<string, string>) ?? {},
  scope: (r.scope as AlertRule['scope']) ?? 'fleet',
  scopeId: (r.scope_id as string | null) ?? null,
});

export const toAlert = (r: Row): Alert => ({
  id: String(r.id),
  ruleId: String(r.rule_id),
  labels: r.labels as Record<string, string>,
  annotations: (r.annotations as Record<string, string>) ?? {},
  clientId: (r.client_id as string | null) ?? null,
  instanceId: (r.instance_id as string | null) ?? null,
  state: r.state as AlertState,
  severity: r.severity as Severity,
  value: r.value === null ? null : Number(r.value),
  activeAt: date(r.active_at),
  firedAt: date(r.fired_at),
  resolvedAt: date(r.resolved_at),
  lastTrueAt: date(r.last_true_at),
  ackedBy: (r.acked_by as string | null) ?? null,
  ackedAt: date(r.acked_at),
});

export const toSilence = (r: Row): Silence => ({
  id: String(r.id),
  matchers: r.matchers as Silence['matchers'],
  startsAt: new Date(r.starts_at as string),
  endsAt: new Date(r.ends_at as string),
  createdBy: String(r.created_by),
  comment: String(r.comment),
  clientId: (r.client_id as string | null) ?? null,
});

/** Adds the built-in rules a database does not have yet (edits of existing ones are kept). */
export async function seedBuiltins(db: Db): Promise<void> {
  const rows = Object.entries(BUILTIN_RULES).map(([kind, b]) => ({
    id: kind,
    kind,
    name: b.name,
    threshold: b.threshold,
    for_sec: b.forSec,
    keep_firing_sec: b.keepFiringSec,
    severity: b.severity,
    annotations: b.annotations,
  }));
  await db.query(
    `INSERT INTO alert_rules (id, kind, name, enabled, builtin, threshold, for_sec, keep_firing_sec, severity, annotations)
     SELECT id, kind, name, true, true, threshold, for_sec, keep_firing_sec, severity, annotations
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, name text, threshold float8, for_sec int,
       keep_firing_sec int, severity text, annotations jsonb)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Writes changed alerts in one statement; `gone` are deleted (inactive again). Who acknowledged an
 * alert is written only by the acknowledgement itself (any hub's API): evaluation keeps the row's
 * value while the alert fires, so a cycle that read the acknowledgements just before someone acked
 * cannot write the acknowledgement away, and clears it when the firing episode ends.
 */
export async function saveAlerts(db: Db, changed: Alert[], gone: string[]): Promise<void> {
  if (changed.length) {
    const rows = changed.map((a) => ({
      id: a.id,
      rule_id: a.ruleId,
      labels: a.labels,
      annotations: a.annotations,
      client_id: a.clientId,
      instance_id: a.instanceId,
      state: a.state,
      severity: a.severity,
      value: a.value,
      active_at: iso(a.activeAt),
      fired_at: iso(a.firedAt),
      resolved_at: iso(a.resolvedAt),
      last_true_at: iso(a.lastTrueAt),
      acked_by: a.ackedBy,
      acked_at: iso(a.ackedAt),
    }));
    await db.query(
      `INSERT INTO alert_instances (id, rule_id, labels, annotations, client_id, instance_id, state, severity, value,
         active_at, fired_at, resolved_at, last_true_at, acked_by, acked_at, updated_at)
       SELECT x.*, now() FROM jsonb_to_recordset($1::jsonb) AS x(id text, rule_id text, labels jsonb, annotations jsonb,
         client_id text, instance_id text, state text, severity text, value float8, active_at timestamptz,
         fired_at timestamptz, resolved_at timestamptz, last_true_at timestamptz, acked_by text, acked_at timestamptz)
       ON CONFLICT (id) DO UPDATE SET labels = excluded.labels, annotations = excluded.annotations, state = excluded.state,
         severity = excluded.severity, value = excluded.value, active_at = excluded.active_at, fired_at = excluded.fired_at,
         resolved_at = excluded.resolved_at, last_true_at = excluded.last_true_at,
         acked_by = CASE WHEN excluded.state = 'firing' THEN alert_instances.acked_by END,
         acked_at = CASE WHEN excluded.state = 'firing' THEN alert_instances.acked_at END, updated_at = now()`,
      [JSON.stringify(rows)],
    );
  }
  if (gone.length) await db.query('DELETE FROM alert_instances WHERE id = ANY($1::text[])', [gone]);
}

export interface Transition {
  alert: Alert;
  from: AlertState;
  to: AlertState;
  at: Date;
}

export async function saveHistory(db: Db, ts: Transition[]): Promise<void> {
  if (!ts.length) return;
  const rows = ts.map((t) => ({
    alert_id: t.alert.id,
    rule_id: t.alert.ruleId,
    client_id: t.alert.clientId,
    instance_id: t.alert.instanceId,
    from_state: t.from,
    to_state: t.to,
    value: t.alert.value,
    t: t.at.toISOString(),
  }));
  await db.query(
    `INSERT INTO alert_history (alert_id, rule_id, client_id, instance_id, from_state, to_state, value, t)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(alert_id text, rule_id text, client_id text, instance_id text,
       from_state text, to_state text, value float8, t timestamptz)`,
    [JSON.stringify(rows)],
  );
}
