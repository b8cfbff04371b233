import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from '../../src/alerts/builtins.js';
import { evaluateRule } from '../../src/alerts/conditions.js';
import { loadStoredData } from '../../src/alerts/data.js';
import type { AlertRule, RuleKind } from '../../src/alerts/types.js';
import { ackCollector, connectSidecar, pub, startTestHub, type TestHub } from '../helpers/hub.js';

const rule = (kind: RuleKind, over: Partial<AlertRule> = {}): AlertRule => ({
  id: kind,
  kind,
  enabled: true,
  builtin: true,
  scope: 'fleet',
  scopeId: null,
  labels: {},
  ...BUILTIN_RULES[kind],
  ...over,
});

/**
 * Each built-in rule's condition over what the hub stores: rows written the way ingest writes
 * them (logs, replies, backups, versions) and the fleet view, read back by the same grouped
 * queries the engine runs.
 */
describe('built-in rule conditions', () => {
  let hub: TestHub;
  let dir: string;
  let good: string;
  let bad: string;
  let rich: string;
  const now = Date.now();

  beforeAll(async () => {
    hub = await startTestHub({ alertsEvalSec: 3600 });
    dir = mkdtempSync(join(tmpdir(), 'alert-cert-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '5',
        '-subj',
        '/CN=hub',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    good = (await hub.newInstance()).id;
    bad = (await hub.newInstance()).id;
    const enterprise = (
      await hub.api<{ id: string }>('POST', '/clients', { name: 'Big', industry: 'x', plan: 'starter' })
    ).body.id;
    rich = (await hub.newInstance(enterprise)).id;
    const at = (sec: number) => new Date(now - sec * 1000);
    for (const id of [good, bad, rich]) await hub.ctx.fleet.setPresence(id, 'online');
    // bad: 40 errors in the last 5 minutes, 3 provider refusals, slow replies, an old sidecar, no good backup.
    for (let i = 0; i < 40; i++)
      await hub.db.query(
        "INSERT INTO log_lines (instance_id, t, level, subsystem, msg) VALUES ($1,$2,'error','gateway',$3)",
        [bad, at(i * 5), i < 3 ? 'openai: 403 Forbidden: invalid_api_key' : 'tool call failed'],
      );
    for (let i = 0; i < 6; i++)
      await hub.db.query(
        `INSERT INTO conversation_messages (instance_id, message_id, t, session_key, channel, role, text, tokens_in, tokens_out, cost, latency_ms)
         VALUES ($1,$2,$3,'s','telegram','assistant','hi',10,10,0.01,$4)`,
        [bad, `m-${i}`, at(60 + i), 30_000 + i * 1000],
      );
    // rich: 2.5 M tokens this month on a 2 M plan.
    await hub.db.query(
      `INSERT INTO conversation_messages (instance_id, message_id, t, session_key, channel, role, text, tokens_in, tokens_out, cost)
       VALUES ($1,'big',$2,'s','web','assistant','x',1500000,1000000,3)`,
      [rich, at(10)],
    );
    await hub.db.query(
      "UPDATE instances SET sidecar_version = CASE WHEN id = $1 THEN '0.9.2' ELSE '0.10.0' END, created_at = $2",
      [bad, at(5 * 86_400)],
    );
    await hub.db.query(
      `INSERT INTO backups (id, instance_id, status, created_by, created_at, completed_at) VALUES
       ('bk-1',$1,'ready','system',$3,$3), ('bk-2',$2,'ready','system',$4,$4), ('bk-3',$2,'failed','system',$5,NULL)`,
      [good, bad, at(3600), at(3 * 86_400), at(600)],
    );
    const s = hub.ctx.fleet.get(bad);
    if (!s) throw new Error('no snapshot');
    s.openclaw = {
      present: true,
      up: true,
      channels: [
        { id: 'telegram', enabled: true, connected: false, error: 'bot token revoked' },
        { id: 'slack', enabled: true, connected: true },
      ],
    };
    s.metrics = { disk: 97, memory: 50 };
    s.metricsAt = new Date(now);
    hub.ctx.fleet.refresh(s);
  });
  afterAll(async () => {
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fire = async (kind: RuleKind, over: Partial<AlertRule> = {}) => {
    const data = await loadStoredData(hub.db, now, [{ what: 'MQTT TLS certificate', file: join(dir, 'c.pem') }]);
    const latest = [...data.sidecarVersions.values()].sort().at(-1) ?? null;
    return evaluateRule(rule(kind, over), hub.ctx.fleet.list(), data, now, latest === '0.9.2' ? '0.10.0' : latest);
  };

  it('fleet-state rules: channel down while the gateway is up, disk high, memory fine', async () => {
    const ch = await fire('channel_down');
    expect(ch.map((x) => [x.instanceId, x.labels.channel])).toEqual([[bad, 'telegram']]);
    expect((await fire('disk_high')).map((x) => [x.instanceId, x.value])).toEqual([[bad, 97]]);
    expect(await fire('memory_high')).toEqual([]);
    await hub.ctx.fleet.setPresence(good, 'offline');
    expect((await fire('instance_offline')).map((x) => x.instanceId)).toEqual([good]);
    await hub.ctx.fleet.setPresence(good, 'online');
    const snap = hub.ctx.fleet.get(rich);
    if (snap) {
      snap.openclaw = { present: true, up: false };
      hub.ctx.fleet.refresh(snap);
    }
    expect((await fire('openclaw_down')).map((x) => x.instanceId)).toEqual([rich]);
  });

  it('stored-data rules: error rate, provider refusals, slow replies, old sidecar, no good backup', async () => {
    expect((await fire('error_rate')).map((x) => [x.instanceId, x.value])).toEqual([[bad, 8]]);
    expect((await fire('provider_auth_failing')).map((x) => [x.instanceId, x.value])).toEqual([[bad, 3]]);
    const slow = await fire('reply_latency_high');
    expect(slow.map((x) => x.instanceId)).toEqual([bad]);
    expect(slow[0].value).toBeGreaterThan(30_000);
    expect((await fire('sidecar_outdated')).map((x) => [x.instanceId, x.labels.version])).toEqual([[bad, '0.9.2']]);
    expect((await fire('backup_failing')).map((x) => [x.instanceId, x.value])).toEqual([[bad, 72]]);
  });

  it('usage against the plan: over at 100 %, near from 80 %, and the certificate expiry', async () => {
    const over = await fire('usage_over_plan');
    expect(over.map((x) => [x.clientId, x.value])).toEqual([[hub.ctx.fleet.get(rich)?.clientId, 125]]);
    expect(await fire('budget_near')).toEqual([]);
    expect((await fire('budget_near', { threshold: 0.1 })).map((x) => x.clientId)).toEqual([
      hub.ctx.fleet.get(good)?.clientId,
    ]);
    const cert = await fire('cert_or_key_expiring');
    expect(cert).toHaveLength(1);
    expect(cert[0].value).toBeGreaterThan(4);
    expect(cert[0].value).toBeLessThanOrEqual(5);
  });

  it('a client-scoped rule only sees that client', async () => {
    const clientOfGood = hub.ctx.fleet.get(good)?.clientId ?? '';
    expect(await fire('disk_high', { scope: 'client', scopeId: clientOfGood })).toEqual(
      (await fire('disk_high')).filter((x) => x.clientId === clientOfGood),
    );
    expect(await fire('channel_down', { scope: 'instance', scopeId: good })).toEqual([]);
  });

  it('error_rate counts failed replies (stopReason "error") stored by ingest, beside error log lines', async () => {
    // flaky logs no error line; 30 of its replies in the last 5 minutes failed, 10 worked.
    const flaky = await hub.newInstance();
    await hub.ctx.fleet.setPresence(flaky.id, 'online');
    const c = await connectSidecar(hub.mqttUrl, flaky.id, flaky.secret);
    try {
      const acks = ackCollector(c);
      await c.subscribeAsync(`ds/v1/${flaky.id}/ack`, { qos: 1 });
      const messages = Array.from({ length: 40 }, (_, i) => ({
        messageId: `reply-${i}`,
        t: now - 60_000 - i * 1000,
        sessionKey: 'agent:main:telegram:dm:7',
        channel: 'telegram',
        role: 'assistant',
        text: i < 30 ? '' : 'Here you go.',
        ...(i < 30 ? { error: '529 {"type":"overloaded_error","message":"Overloaded"}' } : {}),
      }));
      await pub(c, `ds/v1/${flaky.id}/conversations`, {
        v: 1,
        id: 'conv-0',
        instanceId: flaky.id,
        bootId: 'b',
        seq: 0,
        ts: now,
        messages,
      });
      await acks.waitFor((a) => a.stream === 'conversations' && a.seq === 0);
    } finally {
      await c.endAsync();
    }
    const stored = await hub.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM conversation_messages WHERE instance_id = $1 AND error LIKE $2',
      [flaky.id, '529 %'],
    );
    expect(stored[0].n).toBe(30);
    const shown = await hub.api<{ messageId: string; error: string | null }[]>(
      'GET',
      `/instances/${flaky.id}/conversations?from=${new Date(now - 3_600_000).toISOString()}&limit=100`,
    );
    expect(shown.body.filter((m) => m.error).map((m) => m.messageId)).toHaveLength(30);
    expect(shown.body.find((m) => m.messageId === 'reply-35')?.error).toBeNull();
    const rate = await fire('error_rate');
    expect(rate).toHaveLength(2);
    expect(rate.map((x) => [x.instanceId, x.value])).toEqual(
      expect.arrayContaining([
        [bad, 8],
        [flaky.id, 6],
      ]),
    );
    // Below the threshold for flaky: 6/min is not 10/min.
    expect((await fire('error_rate', { threshold: 7 })).map((x) => x.instanceId)).toEqual([bad]);
  });
});
