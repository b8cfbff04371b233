import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentsOnOneHub } from '../src/agent-ops/runner-lease.js';
import { parseSchedules, startAgentRunner } from '../src/agent-ops/runner-process.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { until } from './helpers/sidecar-proc.js';

/**
 * The agents' own process as `npm start` runs it: a real child (tsx, agents/src/runner/main.ts)
 * given minted tokens on stdin, talking to the hub over HTTP, rotating its token at half its
 * life, and started again with fresh tokens when the hub refuses one.
 */
describe('agent runner process', () => {
  let hub: TestHub;
  let runner: ReturnType<typeof startAgentRunner>;
  const lines: string[] = [];

  beforeAll(async () => {
    // Tokens live 7.2 s here: the runner rotates every 3.6 s.
    hub = await startTestHub({ agentTokenTtlHours: 0.002 });
    await hub.newInstance();
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    runner = startAgentRunner({
      db: hub.db,
      config: {
        ...hub.ctx.config,
        agentSchedules: 'orchestrator=1,support=0,security=0,billing=0,onboarding=0,learning=0',
      },
      httpUrl: hub.httpUrl,
      log,
      minBackoffMs: 200,
    });
  });
  afterAll(async () => {
    await runner?.stop();
    await hub?.close();
  });

  const runs = async () =>
    (await hub.api<{ id: string; endedAt: string | null }[]>('GET', '/agent-runs?agent=orchestrator')).body;
  const tokenAudit = () =>
    hub.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action LIKE 'agent.token.%' AND detail->>'agent' = 'orchestrator' ORDER BY id",
    );

  it('runs the orchestrator on its schedule with its own minted token, posting findings and runs', async () => {
    await until(async () => (await runs()).filter((r) => r.endedAt).length >= 2, 60_000, 'two recorded runs');
    const found = (await hub.api<{ kind: string }[]>('GET', '/agent-findings?agent=orchestrator')).body;
    expect(found.map((f) => f.kind)).toContain('never_connected');
    // support=0 turned the support agent off: no token was minted for it.
    const support = (await hub.api<{ name: string; token: unknown }[]>('GET', '/ops-agents')).body.find(
      (a) => a.name === 'support',
    );
    expect(support?.token).toBeNull();
  });

  it('rotates its token at half its life; the hub keeps one live token per agent', async () => {
    await until(async () => (await tokenAudit()).some((a) => a.action === 'agent.token.rotate'), 30_000, 'a rotation');
    const live = await hub.db.query(
      "SELECT id FROM api_tokens WHERE name = 'agent orchestrator' AND revoked_at IS NULL AND expires_at > now()",
    );
    expect(live).toHaveLength(1);
    // The hub audits the rotation before the agent's log line about it arrives.
    await until(() => lines.join('\n').includes('orchestrator: token rotated'), 30_000, 'the rotation logged');
  });

  it('is started again with a fresh token when the hub refuses the one it has', async () => {
    const pid = runner.child()?.pid;
    // An admin minting a new token revokes the runner's.
    expect((await hub.api('POST', '/ops-agents/orchestrator/token')).status).toBe(201);
    await until(() => runner.child()?.pid && runner.child()?.pid !== pid, 30_000, 'a new agents process');
    const before = (await runs()).length;
    await until(async () => (await runs()).length > before, 30_000, 'a run by the new process');
    expect(lines.join('\n')).toContain('the hub refused its token');
  });

  it('runs beside one hub of several: the next hub starts the agents when that one stops', async () => {
    // Two hubs on one database, told apart by their data directories; no agent scheduled, so
    // what is watched is which hub would run them.
    const hubOn = (dataDir: string) =>
      startAgentsOnOneHub({
        db: hub.db,
        config: {
          ...hub.ctx.config,
          dataDir,
          agentSchedules: 'orchestrator=0,support=0,security=0,billing=0,onboarding=0,learning=0',
        },
        httpUrl: hub.httpUrl,
        log: pino({ level: 'silent' }),
      });
    const first = await hubOn('/srv/hub-a');
    const second = await hubOn('/srv/hub-b');
    try {
      expect([first.running(), second.running()]).toEqual([true, false]);
      await first.stop();
      await until(() => second.running(), 30_000, 'the other hub runs the agents');
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it('refuses schedules for agents it cannot run, and bad numbers', () => {
    expect(parseSchedules(undefined)).toEqual({
      orchestrator: 60,
      support: 60,
      security: 900,
      billing: 3600,
      onboarding: 300,
      learning: 3600,
    });
    expect(parseSchedules('support=0')).toEqual({
      orchestrator: 60,
      support: 0,
      security: 900,
      billing: 3600,
      onboarding: 300,
      learning: 3600,
    });
    expect(() => parseSchedules('analytics=60')).toThrow(/analytics is not an agent the runner runs/);
    expect(() => parseSchedules('orchestrator=-1')).toThrow(/must be 0 \(off\) to 86400/);
  });
});
