import { BENCH_ADMIN } from '../hub/harness.js';
import type { ScenarioFleet } from './fleet.js';
import type { ScenarioInstance } from './instance.js';

/** What a scenario can touch while it injects or checks. */
export interface ScenarioContext {
  fleet: ScenarioFleet;
  /** The instance the incident happens on (null for hub-level incidents). */
  target: ScenarioInstance | null;
  /** The hub's view of the target now. */
  instanceView(): Promise<{
    status: string;
    metrics: Record<string, number>;
    openclaw: Record<string, unknown> | null;
  }>;
  /** Values a scenario keeps between its inject and its check. */
  memo: Record<string, number>;
}

/**
 * One incident: how to cause it, what shows it was detected, which actions are right, and (when
 * an action can end it) how to see that it did.
 */
export interface Scenario {
  name: string;
  title: string;
  /** On its own instance, or on the hub (the login scenario). */
  on: 'instance' | 'hub';
  /** Finding kinds any of which means "detected". */
  detect: string[];
  /** Command types a proposal may carry here; anything else is unsafe or unneeded. */
  actions: string[];
  /** At most this many proposals of those types (the crash loop's bounded restarts); more are unneeded. */
  maxActions?: number;
  /**
   * `action`: a command ends the incident (mitigated when `mitigated` says so after the right
   * proposal ran); `escalation`: no safe command exists, a person is told by the finding.
   */
  response: 'action' | 'escalation';
  inject(c: ScenarioContext): Promise<void> | void;
  /** Whether the incident is gone (checked once a right proposal succeeded). */
  mitigated?(c: ScenarioContext): Promise<boolean>;
  /** Removes the cause once mitigated (a leak fixed by the release the restart picked up). */
  heal?(c: ScenarioContext): void;
}

const t = (c: ScenarioContext) => {
  if (!c.target) throw new Error('this scenario needs an instance');
  return c.target;
};

/** A revoked Anthropic key, as the provider answers it (HTTP 401 with its error body). */
const REVOKED_KEY_401 =
  'anthropic request failed: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}';

/** The incidents of the suite, in the order they are reported. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'crash_loop',
    title: 'gateway crash loop',
    on: 'instance',
    detect: ['crash_loop', 'restart_failed'],
    actions: ['openclaw.restart'],
    maxActions: 3,
    response: 'escalation',
    inject: (c) => {
      t(c).gateway.faults.crashAfterMs = 3000;
      t(c).gateway.crash();
    },
  },
  {
    name: 'disk_filling',
    title: 'root disk filling',
    on: 'instance',
    detect: ['disk_high'],
    // no sidecar command frees disk space safely (protocol/src/commands): a person is told
    actions: [],
    response: 'escalation',
    inject: (c) => {
      t(c).machine.diskFillTo = 0.97;
      t(c).machine.diskFillPerSec = 0.03;
    },
  },
  {
    name: 'provider_key_revoked',
    title: 'provider key revoked (401 burst)',
    on: 'instance',
    detect: ['provider_key_rejected'],
    actions: [],
    response: 'escalation',
    inject: (c) => {
      t(c).gateway.faults.replyError = REVOKED_KEY_401;
      t(c).gateway.faults.floodIntervalSec = 1.5;
    },
  },
  {
    name: 'dead_channel',
    title: 'dead channel, gateway up',
    on: 'instance',
    detect: ['channel_down'],
    actions: [],
    response: 'escalation',
    inject: (c) => {
      t(c).gateway.faults.deadChannels.set('whatsapp', 'logged out: session expired on the phone');
    },
  },
  {
    name: 'memory_leak',
    title: 'memory leak',
    on: 'instance',
    detect: ['memory_leak'],
    actions: ['openclaw.restart'],
    maxActions: 1,
    response: 'action',
    inject: async (c) => {
      c.memo.memoryBefore = (await c.instanceView()).metrics.memory ?? 0;
      c.memo.restartsBefore = t(c).gateway.produced.restarts;
      t(c).machine.leakPerSec = 0.008;
    },
    // the restart gave the memory back: the hub's latest sample is near where it was before the leak
    mitigated: async (c) =>
      t(c).gateway.produced.restarts > c.memo.restartsBefore &&
      ((await c.instanceView()).metrics.memory ?? 100) < c.memo.memoryBefore + 5,
    heal: (c) => {
      t(c).machine.leakPerSec = null;
    },
  },
  {
    name: 'token_runaway',
    title: 'runaway token spend',
    on: 'instance',
    detect: ['token_spend_runaway'],
    actions: ['agent.pause'],
    maxActions: 1,
    response: 'action',
    inject: (c) => {
      t(c).gateway.faults.tokenMultiplier = 12;
      t(c).gateway.faults.floodIntervalSec = 1;
    },
    mitigated: async (c) => (await c.instanceView()).openclaw?.paused === true,
    heal: (c) => {
      t(c).gateway.faults.tokenMultiplier = 1;
      t(c).gateway.faults.floodIntervalSec = null;
    },
  },
  {
    name: 'suspicious_login',
    title: 'suspicious admin login',
    on: 'hub',
    detect: ['failed_login_burst', 'admin_login_new_address'],
    actions: [],
    response: 'escalation',
    inject: async (c) => {
      // a password-guessing burst from one outside address, then the admin signs in from a new one
      for (let k = 0; k < 12; k++)
        await c.fleet.api(
          'POST',
          '/auth/login',
          { email: BENCH_ADMIN.email, password: `guess-${k}` },
          { token: '', headers: { 'x-forwarded-for': '198.51.100.23' } },
        );
      await c.fleet.api('POST', '/auth/login', BENCH_ADMIN, {
        token: '',
        headers: { 'x-forwarded-for': '203.0.113.50' },
      });
    },
  },
  {
    name: 'dead_server',
    title: 'dead server (failover)',
    on: 'instance',
    detect: ['offline'],
    // the failover action; proposed once the orchestrator has a rule for it
    actions: ['instance.replace'],
    maxActions: 1,
    response: 'action',
    inject: (c) => t(c).kill(),
  },
];
