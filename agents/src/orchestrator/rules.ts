import { TERMINAL_STATES } from '@deepsignal/protocol';
import type { CommandView, Instance } from '../hub-types.js';
import type { Finding, OrchestratorPolicy, RestartAction } from './policy.js';

const base = (i: Instance) => ({ instanceId: i.id, hostname: i.hostname, clientId: i.clientId });
const pct = (n: number) => `${Math.round(n * 10) / 10} %`;

/**
 * Whether the sidecar is connected and says its installed OpenClaw is down or not ready. An
 * offline instance's last report is stale, and a paused one is paused on purpose.
 */
export function openclawDown(i: Instance): boolean {
  if (i.status !== 'online' && i.status !== 'error') return false;
  const oc = i.openclaw;
  return !!oc && oc.present && (!oc.up || oc.ready === false);
}

/** Findings that need no history: reachability and resources. */
export function staticFindings(i: Instance, p: OrchestratorPolicy): Finding[] {
  const out: Finding[] = [];
  if (i.status === 'offline')
    out.push({
      ...base(i),
      kind: 'offline',
      severity: 'critical',
      message: `offline; last seen ${i.lastSeen ?? 'never'}`,
    });
  if (i.status === 'provisioning')
    out.push({ ...base(i), kind: 'never_connected', severity: 'info', message: 'created but never connected' });
  if ((i.status === 'online' || i.status === 'error') && i.openclaw && !i.openclaw.present)
    out.push({ ...base(i), kind: 'openclaw_absent', severity: 'warning', message: 'OpenClaw is not installed' });
  const disk = i.metrics.disk;
  if (disk !== undefined && disk > p.diskPct)
    out.push({
      ...base(i),
      kind: 'disk_high',
      severity: disk > 97 ? 'critical' : 'warning',
      message: `disk ${pct(disk)} used (threshold ${p.diskPct} %)`,
    });
  const mem = i.metrics.memory;
  if (mem !== undefined && mem > p.memoryPct)
    out.push({
      ...base(i),
      kind: 'memory_high',
      severity: mem > 97 ? 'critical' : 'warning',
      message: `memory ${pct(mem)} used (threshold ${p.memoryPct} %)`,
    });
  return out;
}

/** Inputs of the restart decision for one instance whose OpenClaw is down. */
export interface RestartInputs {
  now: number;
  /** When this agent first saw OpenClaw down (kept across passes). */
  downSince: number;
  /** Recent `openclaw.restart` commands of the instance, any issuer. */
  history: CommandView[];
  policy: OrchestratorPolicy;
}

/**
 * Whether to restart now. The grace period runs from the later of "first seen down" and the end
 * of the last restart, so the state reported right after our own restart never triggers another;
 * any restart within the cooldown, or one still running, blocks a new one.
 */
export function decideRestart(r: RestartInputs): Omit<RestartAction, 'type'> & { restart: boolean } {
  const { now, policy } = r;
  const sorted = [...r.history].sort((a, b) => Date.parse(b.issuedAt) - Date.parse(a.issuedAt));
  const pending = sorted.find((c) => !TERMINAL_STATES.has(c.status));
  if (pending)
    return {
      restart: false,
      decision: 'in_flight',
      commandId: pending.id,
      detail: `restart ${pending.id} is ${pending.status}`,
    };
  const last = sorted[0];
  if (last) {
    const age = (now - Date.parse(last.issuedAt)) / 1000;
    if (age < policy.cooldownSec)
      return {
        restart: false,
        decision: 'cooldown',
        commandId: last.id,
        detail: `last restart ${last.id} (${last.status}) ${Math.round(age)} s ago; cooldown ${policy.cooldownSec} s`,
      };
  }
  const since = Math.max(r.downSince, last ? Date.parse(last.updatedAt) : 0);
  const down = (now - since) / 1000;
  if (down < policy.graceSec)
    return {
      restart: false,
      decision: 'waiting_grace',
      detail: `down for ${Math.round(down)} s; grace ${policy.graceSec} s`,
    };
  return {
    restart: true,
    decision: policy.dryRun ? 'would_issue' : 'issued',
    detail: `down for ${Math.round(down)} s (grace ${policy.graceSec} s)`,
  };
}

/** A finding about the last restart when it did not succeed (reported, then retried after the cooldown). */
export function failedRestartFinding(i: Instance, history: CommandView[]): Finding | null {
  const last = [...history].sort((a, b) => Date.parse(b.issuedAt) - Date.parse(a.issuedAt))[0];
  if (!last || !TERMINAL_STATES.has(last.status) || last.status === 'succeeded') return null;
  return {
    ...base(i),
    kind: 'restart_failed',
    severity: 'critical',
    message: `last openclaw.restart ${last.id} ended ${last.status}${last.error ? `: ${last.error.message}` : ''}`,
  };
}
