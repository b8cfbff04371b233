import type { InstanceSnapshot } from '../fleet/fleet.js';
import type { StoredData } from './data.js';
import { planAllowance } from './plans.js';
import type { AlertRule, Series } from './types.js';

/** Metrics older than this on an online instance are "no data" for the metric rules. */
const STALE_METRICS_MS = 10 * 60_000;

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/** Compares dotted versions numerically (1.10.0 > 1.9.3). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.+-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function instanceSeries(s: InstanceSnapshot, value: number | null, extra: Record<string, string> = {}): Series {
  return {
    labels: { instance: s.id, client: s.clientId, ...extra },
    value,
    clientId: s.clientId,
    instanceId: s.id,
    hostname: s.hostname,
  };
}

const online = (s: InstanceSnapshot) => s.status === 'online' || s.status === 'error';

/**
 * The series whose condition holds for a rule. Fleet-state kinds read only memory; the others read
 * the periodically loaded StoredData. `latest` is the newest sidecar version seen in the fleet.
 */
export function evaluateRule(
  rule: AlertRule,
  fleet: InstanceSnapshot[],
  data: StoredData,
  now: number,
  latest: string | null,
): Series[] {
  const out: Series[] = [];
  const th = rule.threshold;
  switch (rule.kind) {
    case 'instance_offline':
      for (const s of fleet)
        if (s.status === 'offline')
          out.push(instanceSeries(s, s.lastSeen ? Math.round((now - s.lastSeen.getTime()) / 1000) : null));
      break;
    case 'openclaw_down':
      for (const s of fleet) if (s.status === 'error') out.push(instanceSeries(s, 1));
      break;
    case 'channel_down':
      for (const s of fleet) {
        if (!online(s) || !s.openclaw?.up) continue;
        for (const c of s.openclaw.channels ?? [])
          if (c.enabled !== false && (c.connected === false || c.error))
            out.push(instanceSeries(s, 1, { channel: c.id }));
      }
      break;
    case 'disk_high':
    case 'memory_high': {
      const metric = rule.kind === 'disk_high' ? 'disk' : 'memory';
      for (const s of fleet) {
        if (!online(s)) continue;
        const v = s.metrics[metric];
        if (v === undefined || !s.metricsAt) continue;
        // Metrics that stopped arriving from an instance still online: no data, not "fine".
        if (now - s.metricsAt.getTime() > STALE_METRICS_MS) {
          out.push({ ...instanceSeries(s, null), nodata: true });
          continue;
        }
        if (v >= (th ?? 90)) out.push(instanceSeries(s, round(v)));
      }
      break;
    }
    case 'error_rate':
      for (const s of fleet) {
        const e = data.errors.get(s.id);
        if (!e) continue;
        const perMin = e.recent / 5;
        // "Normal" is the rate over the 24 hours before the recent window.
        const normal = Math.max(0, e.day - e.recent) / (24 * 60 - 5);
        if (perMin >= (th ?? 5) && perMin >= 3 * normal) out.push(instanceSeries(s, round(perMin)));
      }
      break;
    case 'provider_auth_failing':
      for (const s of fleet) {
        const n = data.authFailures.get(s.id) ?? 0;
        if (n >= (th ?? 3)) out.push(instanceSeries(s, n));
      }
      break;
    case 'reply_latency_high':
      for (const s of fleet) {
        const l = data.latency.get(s.id);
        if (l && l.n >= 5 && l.p95 > (th ?? 20_000)) out.push(instanceSeries(s, Math.round(l.p95)));
      }
      break;
    case 'usage_over_plan':
    case 'budget_near':
      for (const [clientId, u] of data.usage) {
        const plan = u.allowance ?? planAllowance(u.plan);
        const pct = 100 * Math.max(u.tokens / plan.tokensPerMonth, u.cost / plan.costPerMonth);
        const over = pct >= 100;
        const hit = rule.kind === 'usage_over_plan' ? pct >= (th ?? 100) : pct >= (th ?? 80) && !over;
        if (hit)
          out.push({ labels: { client: clientId, plan: u.plan }, value: Math.round(pct), clientId, instanceId: null });
      }
      break;
    case 'sidecar_outdated':
      if (!latest) break;
      for (const s of fleet) {
        const v = data.sidecarVersions.get(s.id);
        if (v && compareVersions(v, latest) < 0) out.push(instanceSeries(s, null, { version: v, latest }));
      }
      break;
    case 'backup_failing': {
      const limit = (th ?? 48) * 3_600_000;
      for (const s of fleet) {
        const b = data.backups.get(s.id);
        // Only instances that use backups and are older than the window.
        if (!b?.any || now - b.createdAt < limit) continue;
        if (b.lastGood === null || now - b.lastGood > limit)
          out.push(instanceSeries(s, b.lastGood === null ? null : round((now - b.lastGood) / 3_600_000)));
      }
      break;
    }
    case 'cert_or_key_expiring':
      for (const e of data.expiries) {
        const days = (e.expires - now) / 86_400_000;
        if (days <= (th ?? 14))
          out.push({
            labels: { what: e.what, file: e.file, expires: new Date(e.expires).toISOString() },
            value: round(days),
            clientId: null,
            instanceId: null,
          });
      }
      break;
    case 'ticket_sla_breached':
      // One alert per ticket (the clock is not a label, so a ticket moving from a missed first
      // response to a missed resolution stays the same alert); it resolves once made good.
      for (const b of data.ticketBreaches)
        out.push({
          labels: { client: b.clientId, ticket: b.ticketId },
          value: b.elapsedHours,
          clientId: b.clientId,
          instanceId: null,
          vars: {
            subject: b.subject,
            client_name: b.clientName,
            clock: b.clock === 'first_response' ? 'first-response' : 'resolution',
            target: `${b.targetHours} h`,
          },
        });
      break;
  }
  return out.filter((s) => inScope(rule, s));
}

function inScope(rule: AlertRule, s: Series): boolean {
  if (rule.scope === 'client') return s.clientId === rule.scopeId;
  if (rule.scope === 'instance') return s.instanceId === rule.scopeId;
  return true;
}
