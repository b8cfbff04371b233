import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Db } from '../db/index.js';
import { type ActiveBreach, activeBreaches } from '../tickets/breaches.js';
import { type PlanAllowance, planAllowance } from './plans.js';

/**
 * What the rules need beyond the in-memory fleet state, read with one grouped query per kind
 * (not per instance) and refreshed at a slower cadence than the evaluation itself.
 */
export interface StoredData {
  at: number;
  /** Error log lines plus failed assistant replies per instance: last 5 minutes and last 24 hours. */
  errors: Map<string, { recent: number; day: number }>;
  /** Model-provider 401/403 log lines per instance over 10 minutes. */
  authFailures: Map<string, number>;
  /** Assistant reply latency per instance over 15 minutes. */
  latency: Map<string, { p95: number; n: number }>;
  /** Month-to-date tokens and cost per client, its plan, and the allowance billing holds for it. */
  usage: Map<string, { tokens: number; cost: number; plan: string; allowance: PlanAllowance }>;
  /** Per instance: last good backup, whether any backup exists, when the instance was created. */
  backups: Map<string, { lastGood: number | null; any: boolean; createdAt: number }>;
  sidecarVersions: Map<string, string>;
  /** Expiries the hub knows of (its MQTT TLS certificate). */
  expiries: { what: string; file: string; expires: number }[];
  /** Support tickets past a first-response or resolution SLA and not yet answered or resolved. */
  ticketBreaches: ActiveBreach[];
}

export const emptyData = (): StoredData => ({
  at: 0,
  errors: new Map(),
  authFailures: new Map(),
  latency: new Map(),
  usage: new Map(),
  backups: new Map(),
  sidecarVersions: new Map(),
  expiries: [],
  ticketBreaches: [],
});

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const ms = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).getTime());

// Provider refusals as OpenClaw logs them: the status code or the provider's own words.
const AUTH_PATTERN =
  '(\\m401\\M|\\m403\\M|unauthori[sz]ed|invalid[ _-]?api[ _-]?key|authentication_error|permission_error)';

export async function loadStoredData(
  db: Db,
  now: number,
  certFiles: { what: string; file: string }[],
): Promise<StoredData> {
  const at = new Date(now).toISOString();
  const d = emptyData();
  d.at = now;
  const [errors, auth, latency, usage, backups, versions, breaches] = await Promise.all([
    // A reply that failed is an error whether or not the gateway also logged one.
    db.query(
      `SELECT instance_id, sum(recent) AS recent, sum(day) AS day FROM (
         SELECT instance_id, count(*) FILTER (WHERE t > $1::timestamptz - interval '5 minutes') AS recent, count(*) AS day
         FROM log_lines WHERE level IN ('error','fatal') AND t > $1::timestamptz - interval '24 hours' AND t <= $1::timestamptz
         GROUP BY instance_id
         UNION ALL
         SELECT instance_id, count(*) FILTER (WHERE t > $1::timestamptz - interval '5 minutes'), count(*)
         FROM conversation_messages WHERE role = 'assistant' AND error IS NOT NULL
           AND t > $1::timestamptz - interval '24 hours' AND t <= $1::timestamptz
         GROUP BY instance_id
       ) x GROUP BY instance_id`,
      [at],
    ),
    db.query(
      `SELECT instance_id, count(*) AS n FROM log_lines
       WHERE t > $1::timestamptz - interval '10 minutes' AND t <= $1::timestamptz AND level IN ('warn','error','fatal')
         AND msg ~* $2 GROUP BY instance_id`,
      [at, AUTH_PATTERN],
    ),
    db.query(
      `SELECT instance_id, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95, count(*) AS n
       FROM conversation_messages WHERE role = 'assistant' AND latency_ms IS NOT NULL
         AND t > $1::timestamptz - interval '15 minutes' AND t <= $1::timestamptz GROUP BY instance_id`,
      [at],
    ),
    db.query(
      `SELECT c.id AS client_id, c.plan, COALESCE(sum(m.tokens_in + m.tokens_out), 0) AS tokens, COALESCE(sum(m.cost), 0) AS cost,
         min(p.included_tokens) AS included_tokens, min(b.budget_hard_cents) AS budget_cents
       FROM clients c LEFT JOIN billing_plans p ON p.id = c.plan LEFT JOIN client_billing b ON b.client_id = c.id
       LEFT JOIN instances i ON i.client_id = c.id
       LEFT JOIN conversation_messages m ON m.instance_id = i.id
         AND m.t >= date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND m.t <= $1::timestamptz
       GROUP BY c.id, c.plan`,
      [at],
    ),
    db.query(
      `SELECT i.id, i.created_at, max(b.completed_at) FILTER (WHERE b.status = 'ready') AS last_good, count(b.id) AS n
       FROM instances i LEFT JOIN backups b ON b.instance_id = i.id GROUP BY i.id, i.created_at`,
    ),
    db.query('SELECT id, sidecar_version FROM instances WHERE sidecar_version IS NOT NULL'),
    activeBreaches(db, new Date(now)),
  ]);
  d.ticketBreaches = breaches;
  for (const r of errors) d.errors.set(String(r.instance_id), { recent: num(r.recent), day: num(r.day) });
  for (const r of auth) d.authFailures.set(String(r.instance_id), num(r.n));
  for (const r of latency) d.latency.set(String(r.instance_id), { p95: num(r.p95), n: num(r.n) });
  for (const r of usage) {
    const plan = String(r.plan ?? 'starter');
    // The plan's included tokens and the client's budget as billing keeps them; published figures otherwise.
    const published = planAllowance(plan);
    const allowance = {
      tokensPerMonth: r.included_tokens ? num(r.included_tokens) : published.tokensPerMonth,
      costPerMonth: r.budget_cents ? num(r.budget_cents) / 100 : published.costPerMonth,
    };
    d.usage.set(String(r.client_id), { tokens: num(r.tokens), cost: num(r.cost), plan, allowance });
  }
  for (const r of backups)
    d.backups.set(String(r.id), { lastGood: ms(r.last_good), any: num(r.n) > 0, createdAt: ms(r.created_at) ?? now });
  for (const r of versions) d.sidecarVersions.set(String(r.id), String(r.sidecar_version));
  for (const c of certFiles) {
    try {
      const cert = new X509Certificate(readFileSync(c.file));
      d.expiries.push({ ...c, expires: Date.parse(cert.validTo) });
    } catch {
      // An unreadable certificate is the TLS listener's problem to report; nothing known to expire.
    }
  }
  return d;
}
