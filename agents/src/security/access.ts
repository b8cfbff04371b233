import type { AuditEntry, ConsoleSession } from '../hub-types.js';
import { DAY_MS, HOUR_MS, type SecurityFinding } from './finding.js';

export interface AccessPolicy {
  /** Events newer than this are judged; older ones are the baseline. */
  recentHours: number;
  /** Failed logins from one address within `burstMinutes` that make a burst. */
  burstCount: number;
  burstMinutes: number;
  /** A service account's calls at hours of day it never used before, after this many baseline calls. */
  tokenBaselineMin: number;
}

export const DEFAULT_ACCESS_POLICY: AccessPolicy = {
  recentHours: 24,
  burstCount: 10,
  burstMinutes: 10,
  tokenBaselineMin: 20,
};

const ipOf = (e: AuditEntry): string | null => {
  const d = e.detail as { ip?: unknown } | null;
  if (d && typeof d.ip === 'string') return d.ip;
  return e.actor.startsWith('ip:') ? e.actor.slice(3) : null;
};

/** An operator (no client) logged in from an address none of their earlier logins came from. */
function newAddressLogins(entries: AuditEntry[], recentFrom: number): SecurityFinding[] {
  const out: SecurityFinding[] = [];
  const logins = entries
    .filter((e) => e.action === 'auth.login' && e.clientId === null)
    .sort((a, b) => Date.parse(a.t) - Date.parse(b.t) || a.id - b.id);
  const known = new Map<string, Set<string>>();
  for (const e of logins) {
    const ip = ipOf(e);
    if (!ip) continue;
    const seen = known.get(e.actor) ?? new Set<string>();
    if (Date.parse(e.t) >= recentFrom && seen.size && !seen.has(ip))
      out.push({
        dedupeKey: `access:new-address:${e.actor}:${ip}`,
        check: 'access',
        kind: 'admin_login_new_address',
        severity: 'warning',
        what: `${e.actorEmail ?? e.actor} logged in from ${ip}, an address none of their earlier logins came from`,
        evidence: { auditId: e.id, at: e.t, user: e.actor, email: e.actorEmail, ip, knownAddresses: [...seen] },
      });
    seen.add(ip);
    known.set(e.actor, seen);
  }
  return out;
}

/** Many failed logins from one address within a few minutes (one finding per burst). */
function failedLoginBursts(entries: AuditEntry[], p: AccessPolicy, recentFrom: number): SecurityFinding[] {
  const out: SecurityFinding[] = [];
  const byIp = new Map<string, AuditEntry[]>();
  for (const e of entries) {
    if (!['auth.login_failed', 'auth.lockout', 'auth.login_locked'].includes(e.action)) continue;
    if (Date.parse(e.t) < recentFrom) continue;
    const ip = ipOf(e) ?? 'unknown';
    byIp.set(ip, [...(byIp.get(ip) ?? []), e]);
  }
  const span = p.burstMinutes * 60_000;
  for (const [ip, list] of byIp) {
    list.sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    let start = 0;
    for (let end = 0; end < list.length; end++) {
      while (Date.parse(list[end].t) - Date.parse(list[start].t) > span) start++;
      if (end - start + 1 < p.burstCount) continue;
      // The burst goes on while failures keep coming within the span; report it once, keyed by its first failure.
      let last = end;
      while (last + 1 < list.length && Date.parse(list[last + 1].t) - Date.parse(list[last].t) <= span) last++;
      const burst = list.slice(start, last + 1);
      out.push({
        dedupeKey: `access:failed-burst:${ip}:${burst[0].id}`,
        check: 'access',
        kind: 'failed_login_burst',
        severity: burst.some((e) => e.action === 'auth.lockout') ? 'critical' : 'warning',
        what: `${burst.length} failed logins from ${ip} between ${burst[0].t} and ${burst[burst.length - 1].t}`,
        evidence: {
          ip,
          count: burst.length,
          from: burst[0].t,
          to: burst[burst.length - 1].t,
          emails: [...new Set(burst.map((e) => e.target).filter(Boolean))].slice(0, 20),
          lockouts: burst.filter((e) => e.action === 'auth.lockout').length,
          auditIds: burst.map((e) => e.id).slice(0, 50),
        },
      });
      start = last + 1;
      end = last;
    }
  }
  return out;
}

/** A service account's token used at hours of day (UTC) it had never been used at, once it has a baseline. */
function unusualTokenUse(entries: AuditEntry[], p: AccessPolicy, recentFrom: number): SecurityFinding[] {
  const out: SecurityFinding[] = [];
  const byActor = new Map<string, AuditEntry[]>();
  for (const e of entries) {
    if (!e.actorEmail?.endsWith('@service.deepsignal')) continue;
    byActor.set(e.actor, [...(byActor.get(e.actor) ?? []), e]);
  }
  for (const [actor, list] of byActor) {
    const base = list.filter((e) => Date.parse(e.t) < recentFrom);
    if (base.length < p.tokenBaselineMin) continue;
    const hours = new Set(base.map((e) => new Date(e.t).getUTCHours()));
    const odd = list.filter((e) => Date.parse(e.t) >= recentFrom && !hours.has(new Date(e.t).getUTCHours()));
    if (!odd.length) continue;
    const day = new Date(Date.parse(odd[0].t)).toISOString().slice(0, 10);
    out.push({
      dedupeKey: `access:token-hours:${actor}:${day}`,
      check: 'access',
      kind: 'token_unusual_use',
      severity: 'warning',
      what: `${odd[0].actorEmail} acted at ${[...new Set(odd.map((e) => new Date(e.t).getUTCHours()))].map((h) => `${h}:00`).join(', ')} UTC, hours it never used in ${base.length} earlier calls`,
      evidence: {
        actor,
        email: odd[0].actorEmail,
        usualHoursUtc: [...hours].sort((a, b) => a - b),
        calls: odd.slice(0, 20).map((e) => ({ id: e.id, t: e.t, action: e.action, target: e.target })),
      },
    });
  }
  return out;
}

/** Console sessions opened while no maintenance window of the client was open. */
function consoleOutsideWindows(sessions: ConsoleSession[], recentFrom: number): SecurityFinding[] {
  return sessions
    .filter((s) => !s.inMaintenanceWindow && Date.parse(s.t) >= recentFrom)
    .map((s) => ({
      dedupeKey: `access:console:${s.sessionId ?? s.id}`,
      check: 'access' as const,
      ...(s.instanceId ? { instanceId: s.instanceId } : {}),
      kind: 'console_outside_window',
      severity: 'warning' as const,
      what: `${s.actorEmail ?? s.actor} opened a console${s.instanceId ? ` on ${s.instanceId}` : ''} at ${s.t}, outside the client's maintenance windows`,
      evidence: {
        auditId: s.id,
        at: s.t,
        actor: s.actor,
        email: s.actorEmail,
        sessionId: s.sessionId,
        clientId: s.clientId,
      },
    }));
}

/** Access log analysis over the audit log (logins, failed logins, service accounts' calls) and console sessions. */
export function checkAccess(
  audit: AuditEntry[],
  sessions: ConsoleSession[],
  p: AccessPolicy,
  now: number,
): SecurityFinding[] {
  const recentFrom = now - p.recentHours * HOUR_MS;
  return [
    ...newAddressLogins(audit, recentFrom),
    ...failedLoginBursts(audit, p, recentFrom),
    ...unusualTokenUse(audit, p, recentFrom),
    ...consoleOutsideWindows(sessions, recentFrom),
  ];
}

/** How far back the baseline reaches. */
export const ACCESS_BASELINE_MS = 30 * DAY_MS;
