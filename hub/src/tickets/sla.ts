import { type BusinessHours, businessMsBetween } from './business-hours.js';

export type SlaState = 'ok' | 'at_risk' | 'breached';

/** Targets in business hours, per plan. */
export interface SlaTargets {
  firstResponseHours: number;
  resolutionHours: number;
}

/** The plans' support targets (business hours in the client's time zone). */
export const SLA_TARGETS: Record<string, SlaTargets> = {
  starter: { firstResponseHours: 8, resolutionHours: 40 },
  growth: { firstResponseHours: 4, resolutionHours: 16 },
  enterprise: { firstResponseHours: 1, resolutionHours: 8 },
};

export const slaTargetsFor = (plan: string): SlaTargets => SLA_TARGETS[plan] ?? SLA_TARGETS.starter;

/** A clock past this share of its target is at risk. */
export const AT_RISK_SHARE = 0.75;

export interface SlaClock {
  state: SlaState;
  /** Business milliseconds counted so far (or until it stopped). */
  elapsedMs: number;
  targetMs: number;
  /** Whether the clock has stopped (first reply sent, ticket resolved). */
  stopped: boolean;
}

export interface SlaView {
  state: SlaState;
  firstResponse: SlaClock;
  resolution: SlaClock;
  paused: boolean;
}

export interface SlaTicket {
  state: string;
  createdAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  waitingSince: Date | null;
  pausedMs: number;
}

const RANK: Record<SlaState, number> = { ok: 0, at_risk: 1, breached: 2 };
export const slaRank = (s: SlaState) => RANK[s];

function clock(elapsedMs: number, targetMs: number, stopped: boolean): SlaClock {
  const state: SlaState =
    elapsedMs > targetMs ? 'breached' : !stopped && elapsedMs >= targetMs * AT_RISK_SHARE ? 'at_risk' : 'ok';
  return { state, elapsedMs, targetMs, stopped };
}

/**
 * Both SLA clocks of a ticket at `now`. They count business time from creation; time spent
 * waiting on the client does not count (the first-response clock stops at the first reply,
 * which normally comes before any waiting).
 */
export function computeSla(t: SlaTicket, targets: SlaTargets, hours: BusinessHours, now: Date): SlaView {
  const created = t.createdAt.getTime();
  const waitingNow = t.state === 'waiting_on_client' && t.waitingSince ? t.waitingSince.getTime() : null;
  const currentPause = waitingNow !== null ? businessMsBetween(waitingNow, now.getTime(), hours) : 0;
  const paused = t.pausedMs + currentPause;

  const frEnd = t.firstResponseAt?.getTime() ?? now.getTime();
  const frElapsed = businessMsBetween(created, frEnd, hours) - (t.firstResponseAt ? 0 : paused);
  const resEnd = t.resolvedAt?.getTime() ?? now.getTime();
  const resElapsed = businessMsBetween(created, resEnd, hours) - paused;

  const firstResponse = clock(Math.max(0, frElapsed), targets.firstResponseHours * 3_600_000, !!t.firstResponseAt);
  const resolution = clock(Math.max(0, resElapsed), targets.resolutionHours * 3_600_000, !!t.resolvedAt);
  const state = slaRank(firstResponse.state) >= slaRank(resolution.state) ? firstResponse.state : resolution.state;
  return { state, firstResponse, resolution, paused: waitingNow !== null };
}
