import type { Instance } from './types';

/** Traffic-light health of an instance. */
export type Health = 'green' | 'yellow' | 'red';

/** Thresholds of the health rules, in percent (error rate: share of error log lines). */
export const HEALTH_RULES = {
  cpu: { warn: 85, crit: 97 },
  memory: { warn: 85, crit: 95 },
  disk: { warn: 85, crit: 95 },
  errorRate: { warn: 5, crit: 20 },
} as const;

/** The health and the reasons for it, worst first. */
export interface HealthVerdict {
  health: Health;
  reasons: string[];
}

/**
 * Rules: red when the instance is offline or in error, OpenClaw is installed but down, or a
 * resource or the error rate passes its critical threshold; yellow when paused, provisioning,
 * OpenClaw absent or not ready, or a warning threshold is passed; green otherwise.
 */
export function healthOf(i: Pick<Instance, 'status' | 'metrics' | 'openclaw'>): HealthVerdict {
  const red: string[] = [];
  const yellow: string[] = [];
  if (i.status === 'offline') red.push('offline');
  else if (i.status === 'error') red.push('error');
  else if (i.status === 'paused') yellow.push('paused');
  else if (i.status === 'provisioning') yellow.push('provisioning');

  const oc = i.openclaw;
  if (i.status !== 'offline' && oc) {
    if (oc.present === false) yellow.push('OpenClaw absent');
    else if (oc.up === false && oc.restarting) yellow.push('OpenClaw restarting');
    else if (oc.up === false) red.push('OpenClaw down');
    else if (oc.ready === false) yellow.push('OpenClaw not ready');
  }

  const m = i.metrics ?? {};
  const check = (v: number | undefined, rule: { warn: number; crit: number }, label: string) => {
    if (v === undefined || !Number.isFinite(v)) return;
    if (v >= rule.crit) red.push(`${label} ${v.toFixed(0)}%`);
    else if (v >= rule.warn) yellow.push(`${label} ${v.toFixed(0)}%`);
  };
  if (i.status !== 'offline') {
    check(m.cpu, HEALTH_RULES.cpu, 'CPU');
    check(m.memory, HEALTH_RULES.memory, 'memory');
    check(m.disk, HEALTH_RULES.disk, 'disk');
    check(m.error_rate, HEALTH_RULES.errorRate, 'error rate');
  }
  if (red.length) return { health: 'red', reasons: [...red, ...yellow] };
  if (yellow.length) return { health: 'yellow', reasons: yellow };
  return { health: 'green', reasons: [] };
}

export const HEALTH_LABEL: Record<Health, string> = { green: 'Healthy', yellow: 'Warning', red: 'Critical' };
