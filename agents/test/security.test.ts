import { utimesSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../src/hub-client.js';
import type { FindingView, ProposalView } from '../src/hub-types.js';
import { runAgents } from '../src/runner/run.js';
import { securityCommand } from '../src/security/command.js';
import { formatSecurity } from '../src/security/report.js';
import { DEFAULT_SECURITY_POLICY, runSecurity } from '../src/security/run.js';
import { type AgentTestHub, simulatedSidecar, startAgentHub, until } from './helpers.js';

const DAY = 86_400_000;

/** A local stand-in for npm's bulk advisory endpoint: `POST {package: [versions]}` -> advisories per package. */
async function fakeNpmAdvisories() {
  const seen: Record<string, string[]>[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => {
      raw += d;
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/-/npm/v1/security/advisories/bulk') {
        res.writeHead(404).end();
        return;
      }
      seen.push(JSON.parse(raw));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          openclaw: [
            {
              id: 1101,
              url: 'https://github.com/advisories/GHSA-9x4q-3f2m-7c5p',
              title: 'Gateway token accepted after revocation',
              severity: 'high',
              vulnerable_versions: '<2026.3.0',
              cwe: ['CWE-613'],
              cvss: { score: 8.1, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' },
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/-/npm/v1/security/advisories/bulk`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('security agent against a real hub', () => {
  let t: AgentTestHub;
  let npm: Awaited<ReturnType<typeof fakeNpmAdvisories>>;
  let hub: HubClient;
  let steady: { id: string; secret: string; clientId: string };
  let old: { id: string; secret: string; clientId: string };
  const sides: Awaited<ReturnType<typeof simulatedSidecar>>[] = [];
  const policy = DEFAULT_SECURITY_POLICY;

  /** Four weeks and a day of ordinary hours: a daily rhythm, a little noise, the odd error line. */
  const seedHistory = async (i: { id: string; clientId: string }) => {
    await t.hub.db.query(
      `INSERT INTO usage_hourly (client_id, instance_id, bucket, messages, replies, tokens_in, tokens_out, latency_sum, latency_count)
       SELECT $1, $2, b, 10 + extract(hour from b)::int % 12 + extract(day from b)::int % 3, 10,
              2000 + 37 * (extract(day from b)::int % 5), 900, 10 * (1400 + 20 * (extract(day from b)::int % 4)), 10
       FROM generate_series(date_trunc('hour', now()) - interval '29 days', date_trunc('hour', now()) - interval '1 hour', interval '1 hour') b`,
      [i.clientId, i.id],
    );
    await t.hub.db.query(
      `INSERT INTO log_lines (instance_id, t, level, subsystem, msg)
       SELECT $1, b + interval '5 minutes', 'error', 'gateway', 'provider timeout'
       FROM generate_series(date_trunc('hour', now()) - interval '29 days', date_trunc('hour', now()) - interval '1 hour', interval '5 hours') b`,
      [i.id],
    );
  };
  const findings = async () => (await t.api<FindingView[]>('GET', '/agent-findings?agent=security&limit=500')).body;

  beforeAll(async () => {
    npm = await fakeNpmAdvisories();
    t = await startAgentHub({ advisoriesUrl: npm.url });
    const token = (await t.api<{ token: string }>('POST', '/ops-agents/security/token')).body.token;
    hub = new HubClient({ baseUrl: t.hub.httpUrl, token });
    steady = await t.newInstance('vps-steady');
    const s = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, steady.id, steady.secret);
    sides.push(s);
    await s.hello({ sidecarVersion: '0.1.0', openclawVersion: '2026.9.6' });
    await s.status('online');
    await seedHistory(steady);
    await until(async () => (await hub.getInstance(steady.id)).openclawVersion === '2026.9.6', 'the hello');
  });
  afterAll(async () => {
    for (const s of sides) await s.close();
    await t?.close();
    await npm?.close();
  });

  it('keeps the advisory list npm gives for the fleet’s versions', async () => {
    const r = await t.api<{ advisories: { id: string; vulnerableVersions: string }[]; refreshError: string | null }>(
      'POST',
      '/advisories/refresh',
    );
    expect(r.status).toBe(200);
    expect(r.body.refreshError).toBeNull();
    expect(r.body.advisories).toEqual([expect.objectContaining({ id: '1101', vulnerableVersions: '<2026.3.0' })]);
    expect(npm.seen.at(-1)?.openclaw).toEqual(expect.arrayContaining(['2026.9.6']));
    const list = await hub.advisories();
    expect(list.pinned.openclaw).toBe('2026.9.6');
    expect(list.refreshedAt).not.toBeNull();
    expect((await t.api('GET', '/advisories', undefined, '')).status).toBe(401);
  });

  it('finds nothing on a healthy fleet with a steady history (the control)', async () => {
    const r = await runSecurity({ hub, policy, dryRun: false });
    expect(r.errors).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(await findings()).toEqual([]);
    expect(formatSecurity(r)).toContain('No findings.');
  });

  it('reports each kind of problem once, with evidence and the proposals the policy holds', async () => {
    // Versions: an instance on an affected OpenClaw.
    old = await t.newInstance('vps-old');
    const s = await simulatedSidecar(t.hub.mqttUrl, t.hub.hubPublicKey, old.id, old.secret);
    sides.push(s);
    await s.hello({ sidecarVersion: '0.1.0', openclawVersion: '2026.2.0' });
    await s.status('online');
    await until(async () => (await hub.getInstance(old.id)).openclawVersion === '2026.2.0', 'the old hello');
    await t.api('POST', '/advisories/refresh');
    expect(npm.seen.at(-1)?.openclaw).toEqual(expect.arrayContaining(['2026.2.0', '2026.9.6']));
    // Keys: a provider key, an instance secret, the hub key and an agent token past their thresholds.
    expect(
      (await t.api('PUT', `/clients/${old.clientId}/secrets/anthropic_api_key`, { value: 'sk-ant-test-1234567890' }))
        .status,
    ).toBe(200);
    await t.hub.db.query(
      `UPDATE client_secrets SET updated_at = now() - interval '120 days' WHERE name = 'anthropic_api_key'`,
    );
    await t.hub.db.query(
      `UPDATE instance_credentials SET created_at = now() - interval '200 days' WHERE instance_id = $1`,
      [old.id],
    );
    const longAgo = new Date(Date.now() - 400 * DAY);
    utimesSync(join(t.hub.config.dataDir, 'hub-key.pem'), longAgo, longAgo);
    await t.api('POST', '/ops-agents/support/token');
    await t.hub.db.query(
      `UPDATE api_tokens SET created_at = now() - interval '10 days'
       WHERE user_id = (SELECT id FROM users WHERE email = 'agent-support@service.deepsignal') AND revoked_at IS NULL`,
    );
    // Access: the admin's earlier logins came from elsewhere, so today's is from a new address.
    const admin = (await t.hub.db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'admin@agents.test'`))[0]
      .id;
    for (const d of [9, 5])
      await t.hub.db.query(
        `INSERT INTO audit_log (actor, action, target, client_id, detail, created_at)
         VALUES ($1, 'auth.login', $2, NULL, '{"ip":"198.51.100.7","method":"password"}', now() - $3::interval)`,
        [`user:${admin}`, admin, `${d} days`],
      );
    await t.api('POST', '/auth/login', { email: 'admin@agents.test', password: 'admin-password-1' }, '');
    // A burst of real failed logins from one address.
    for (let n = 0; n < 10; n++)
      expect(
        (await t.api('POST', '/auth/login', { email: `nobody${n}@x.test`, password: 'wrong-password' }, '')).status,
      ).toBe(401);
    // A service account that always works at one hour acts at another.
    await t.serviceToken('nightly-export', ['read']);
    const svc = (
      await t.hub.db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'nightly-export@service.deepsignal'`)
    )[0].id;
    const usual = (new Date().getUTCHours() + 12) % 24;
    await t.hub.db.query(
      `INSERT INTO audit_log (actor, action, target, client_id, detail, created_at)
       SELECT $1, 'export.read', NULL, NULL, '{}', date_trunc('day', now()) - d * interval '1 day' + $2 * interval '1 hour'
       FROM generate_series(2, 26) d`,
      [`user:${svc}`, usual],
    );
    await t.hub.db.query(
      `INSERT INTO audit_log (actor, action, target, client_id, detail) VALUES ($1, 'export.read', $2, $3, '{}')`,
      [`user:${svc}`, old.clientId, old.clientId],
    );
    // A console session with no maintenance window open.
    await t.hub.db.query(
      `INSERT INTO audit_log (actor, action, target, client_id, detail) VALUES ($1, 'console.open', 'con-test-1', $2, $3)`,
      [`user:${admin}`, old.clientId, JSON.stringify({ sessionId: 'con-test-1', instanceId: old.id })],
    );
    // Anomaly: the steady instance's last three complete hours carry five times the messages.
    await t.hub.db.query(
      `UPDATE usage_hourly SET messages = messages * 5 + 40
       WHERE instance_id = $1 AND bucket >= date_trunc('hour', now()) - interval '3 hours'`,
      [steady.id],
    );

    const r = await runSecurity({ hub, policy, dryRun: false });
    expect(r.errors).toEqual([]);
    const kinds = r.findings.map((f) => f.kind).sort();
    expect(kinds).toEqual(
      [
        'admin_login_new_address',
        'agent_token_old',
        'anomaly_messages',
        'console_outside_window',
        'failed_login_burst',
        'hub_key_old', // one per instance, each with its hubkey.rotate proposal
        'hub_key_old',
        'instance_secret_old',
        'openclaw_vulnerable',
        'provider_key_old',
        'token_unusual_use',
      ].sort(),
    );
    expect(r.newFindings).toBe(kinds.length);
    const by = (k: string) => r.findings.find((f) => f.kind === k)!;
    expect(by('openclaw_vulnerable')).toMatchObject({
      instanceId: old.id,
      severity: 'critical',
      evidence: { current: '2026.2.0', pinned: '2026.9.6', advisories: [expect.objectContaining({ id: '1101' })] },
      proposed: { status: 'pending' },
    });
    expect(by('instance_secret_old').proposed).toMatchObject({ status: 'pending' });
    expect(by('admin_login_new_address').evidence).toMatchObject({ ip: '127.0.0.1', knownAddresses: ['198.51.100.7'] });
    expect(by('failed_login_burst').evidence).toMatchObject({ count: 10 });
    expect(by('token_unusual_use').evidence).toMatchObject({
      email: 'nightly-export@service.deepsignal',
      usualHoursUtc: [usual],
    });
    expect(by('console_outside_window')).toMatchObject({ instanceId: old.id, evidence: { sessionId: 'con-test-1' } });
    expect(by('anomaly_messages')).toMatchObject({ instanceId: steady.id, evidence: { direction: 'above' } });
    expect((by('anomaly_messages').evidence.hours as unknown[]).length).toBe(3);
    expect(r.findings.filter((f) => f.instanceId === steady.id).map((f) => f.kind)).toEqual([
      'hub_key_old',
      'anomaly_messages',
    ]);
    // The old hub key: each instance gets a hubkey.rotate for an admin; the hub names its next key.
    const hubKey = r.findings.filter((f) => f.kind === 'hub_key_old');
    expect(hubKey.map((f) => f.instanceId).sort()).toEqual([steady.id, old.id].sort());
    for (const f of hubKey) {
      expect(f.proposed).toMatchObject({ status: 'pending' });
      const p = (await t.api<ProposalView>('GET', `/agent-proposals/${f.proposed?.proposalId}`)).body;
      expect(p.commands).toEqual([{ instanceId: f.instanceId, type: 'hubkey.rotate', params: {} }]);
    }

    // Posted with the evidence and dedupe key; the rotation proposal holds no secret (the hub makes it).
    const posted = await findings();
    expect(posted).toHaveLength(kinds.length);
    expect(posted.every((f) => typeof f.evidence.dedupeKey === 'string')).toBe(true);
    const rotate = (
      await t.api<ProposalView>('GET', `/agent-proposals/${by('instance_secret_old').proposed?.proposalId}`)
    ).body;
    expect(rotate.commands).toEqual([{ instanceId: old.id, type: 'credentials.rotate', params: {} }]);
    const leak = await t.api<{ error: { code: string } }>(
      'POST',
      '/agent-proposals',
      {
        title: 'x',
        commands: [{ instanceId: old.id, type: 'credentials.rotate', params: { secret: 'y'.repeat(40) } }],
        expectedEffect: 'x',
        risk: 'low',
        reasoning: 'x',
      },
      (hub as unknown as { opts: { token: string } }).opts.token,
    );
    expect(leak.status).toBe(400);

    // An approved update still waits for the client's maintenance window (none is open).
    const updateId = by('openclaw_vulnerable').proposed?.proposalId;
    await t.api('POST', `/agent-proposals/${updateId}/approve`, {});
    const update = (await t.api<ProposalView>('GET', `/agent-proposals/${updateId}`)).body;
    expect(update.status).toBe('approved');
    expect(update.refusal?.code).toBe('HUB_ERR_POLICY_MAINTENANCE_WINDOW');
  });

  it('does not post a problem again on the next run', async () => {
    const before = (await findings()).length;
    const r = await runSecurity({ hub, policy, dryRun: false });
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.newFindings).toBe(0);
    expect(r.findings.every((f) => f.posted?.seen)).toBe(true);
    expect((await findings()).length).toBe(before);
    const proposals = (await t.api<ProposalView[]>('GET', '/agent-proposals?agent=security&limit=100')).body;
    expect(proposals).toHaveLength(4);
  });

  it('runs by hand: --dry-run posts nothing, bad settings are clear', async () => {
    const lines: string[] = [];
    const token = (hub as unknown as { opts: { token: string } }).opts.token;
    const env = { DS_HUB_URL: t.hub.httpUrl, DS_AGENT_TOKEN: token };
    const before = (await findings()).length;
    expect(await securityCommand(['--dry-run', '--json'], env, (s) => lines.push(s))).toBe(0);
    const r = JSON.parse(lines.join('\n'));
    expect(r.dryRun).toBe(true);
    expect(r.findings.length).toBeGreaterThan(0);
    expect((await findings()).length).toBe(before);
    await expect(securityCommand(['--mad-factor', 'lots'], env, () => {})).rejects.toThrow(/mad-factor/);
  });

  it('runs under the runner `npm start` starts, with its own minted token', async () => {
    // Minting revokes the token the tests above used: this one goes last.
    const minted = (await t.api<{ token: string; expiresAt: string }>('POST', '/ops-agents/security/token')).body;
    const lines: string[] = [];
    const ac = new AbortController();
    const done = runAgents(
      {
        hubUrl: t.hub.httpUrl,
        agents: [{ name: 'security', token: minted.token, expiresAt: minted.expiresAt, intervalSec: 3600 }],
      },
      ac.signal,
      (s) => lines.push(s),
    );
    await until(async () => lines.some((l) => l.startsWith('Security check')), 'a security pass by the runner', 30_000);
    ac.abort();
    expect(await done).toBe(0);
    expect(lines.join('\n')).toMatch(/\d+ problem\(s\), 0 new/);
  });
});
