/**
 * One timeline per instance: merge order across sources, paging by cursor, kind filters, CSV,
 * and scoping (a client sees its own instance's entries that concern it, never console
 * recordings nor audit; another client's instance is a 404). Also: a guarded change's report
 * lands in change_snapshots and on the timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

let hub: TestHub;
let mine: { id: string; clientId: string };
let theirs: { id: string; clientId: string };
let clientToken: string;

interface Entry {
  id: string;
  t: string;
  kind: string;
  title: string;
  actor: string | null;
  status: string | null;
  detail: Record<string, unknown> | null;
  link: string | null;
}
interface Page {
  entries: Entry[];
  nextCursor: string | null;
}

const base = Date.parse('2026-11-20T10:00:00Z');
const at = (min: number) => new Date(base + min * 60_000);

async function command(
  instanceId: string,
  id: string,
  type: string,
  min: number,
  params: Record<string, unknown> = {},
) {
  await hub.db.query(
    `INSERT INTO commands (id, instance_id, type, params, status, issued_by, issued_at, expires_at, updated_at)
     VALUES ($1,$2,$3,$4,'succeeded','user:ops@test.local',$5,$6,$5)`,
    [id, instanceId, type, JSON.stringify(params), at(min), new Date(at(min).getTime() + 600_000)],
  );
}

beforeAll(async () => {
  hub = await startTestHub({ postgres: true });
  const c1 = await hub.api<{ id: string }>('POST', '/clients', { name: 'Bakery', industry: 'food', plan: 'starter' });
  const c2 = await hub.api<{ id: string }>('POST', '/clients', { name: 'Garage', industry: 'auto', plan: 'starter' });
  mine = await hub.newInstance(c1.body.id);
  theirs = await hub.newInstance(c2.body.id);
  const u = await hub.api('POST', `/clients/${c1.body.id}/users`, {
    email: 'owner@bakery.test',
    password: 'owner-password-1',
    role: 'client_owner',
  });
  expect(u.status).toBe(201);
  clientToken = (
    await hub.api<{ token: string }>('POST', '/auth/login', {
      email: 'owner@bakery.test',
      password: 'owner-password-1',
    })
  ).body.token;

  // My instance: a model change, a restart, a ping (plumbing), a console session, a backup,
  // a status event, spread over time. The other client's instance: a command at the same times.
  await command(mine.id, 'cmd_a1', 'model.set', 1, { model: 'anthropic/claude-sonnet-4' });
  await command(mine.id, 'cmd_a2', 'model.set', 5, { model: 'anthropic/claude-opus-4' });
  await command(mine.id, 'cmd_a3', 'openclaw.restart', 7, { waitReadySec: 60 });
  await command(mine.id, 'cmd_a4', 'ping', 8);
  await command(theirs.id, 'cmd_b1', 'openclaw.restart', 6);
  await hub.db.query(
    `INSERT INTO console_sessions (id, instance_id, client_id, user_id, status, cols, rows, created_at, recording)
     VALUES ('cs_1', $1, $2, 'u_x', 'closed', 80, 24, $3, 'cs_1.cast')`,
    [mine.id, mine.clientId, at(3)],
  );
  await hub.db.query(
    `INSERT INTO backups (id, instance_id, client_id, status, created_by, created_at) VALUES ('bk_1', $1, $2, 'ready', 'system', $3)`,
    [mine.id, mine.clientId, at(2)],
  );
  await hub.db.query(
    `INSERT INTO events (instance_id, t, type, severity, message) VALUES ($1, $2, 'openclaw.down', 'warn', 'gateway went down'),
       ($1, $3, 'openclaw.state', 'info', 'minute state')`,
    [mine.id, at(4), at(4.5)],
  );
  await hub.db.query(
    `INSERT INTO audit_log (created_at, actor, action, target, client_id, detail) VALUES ($1, 'user:u_ops', 'command.create', 'cmd_a3', $2, '{}')`,
    [at(7), mine.clientId],
  );
  // A deploy, a resize, and an alert that fired and resolved; the other client's alert at the same time.
  await hub.db.query(
    `INSERT INTO deployments (id, client_id, instance_id, status, location, server_type, image, steps, server_name,
       monthly_price, created_by, created_at, finished_at)
     VALUES ('dep_1', $1, $2, 'live', 'fsn1', 'cx22', 'debian-12', '[]', 'ds-bakery-1', 4.59, 'user:ops@test.local', $3, $4)`,
    [mine.clientId, mine.id, at(10), new Date(at(10).getTime() + 44_000)],
  );
  await hub.db.query(
    `INSERT INTO audit_log (created_at, actor, action, target, client_id, detail)
     VALUES ($1, 'user:u_ops', 'instance.server_resize', $2, $3, '{"serverType":"cx32"}')`,
    [at(12), mine.id, mine.clientId],
  );
  await hub.db.query(
    `INSERT INTO alert_instances (id, rule_id, labels, annotations, client_id, instance_id, state, severity)
     VALUES ('al_1', 'disk_high', '{}', '{"summary":"disk 93 % full on vps-1"}', $1, $2, 'resolved', 'warning')`,
    [mine.clientId, mine.id],
  );
  await hub.db.query(
    `INSERT INTO alert_history (alert_id, rule_id, client_id, instance_id, from_state, to_state, value, t) VALUES
       ('al_1', 'disk_high', $1, $2, 'inactive', 'pending', 93, $3),
       ('al_1', 'disk_high', $1, $2, 'pending', 'firing', 93, $4),
       ('al_1', 'disk_high', $1, $2, 'firing', 'resolved', 70, $5),
       ('al_2', 'disk_high', $6, $7, 'pending', 'firing', 99, $4)`,
    [mine.clientId, mine.id, at(13), at(14), at(16), theirs.clientId, theirs.id],
  );
}, 180_000);

afterAll(() => hub?.close());

const timeline = (id: string, query: string, token?: string) =>
  hub.api<Page>(
    'GET',
    `/instances/${id}/timeline?from=${at(0).toISOString()}&to=${at(60).toISOString()}${query}`,
    undefined,
    token,
  );

describe('instance timeline', () => {
  it('merges every source newest first, with diffs for config changes', async () => {
    const r = await timeline(mine.id, '&kinds=command,console,config,backup,status');
    expect(r.status).toBe(200);
    const order = r.body.entries.map((e) => `${e.kind}:${e.t.slice(11, 16)}`);
    expect(order).toEqual([
      'command:10:08',
      'command:10:07',
      'config:10:05',
      'command:10:05',
      'status:10:04',
      'console:10:03',
      'backup:10:02',
      'config:10:01',
      'command:10:01',
    ]);
    const change = r.body.entries.find((e) => e.id === 'config:cmd_a2')!;
    expect(change.detail?.diff).toEqual([
      { path: 'model', before: 'anthropic/claude-sonnet-4', after: 'anthropic/claude-opus-4' },
    ]);
    expect(r.body.entries.find((e) => e.kind === 'console')?.link).toBe(
      `/api/v1/instances/${mine.id}/console/cs_1/recording`,
    );
    expect(r.body.entries.some((e) => JSON.stringify(e).includes('cmd_b1'))).toBe(false);
  });

  it('pages with a cursor, without gaps or repeats', async () => {
    const all = (await timeline(mine.id, '&limit=500')).body.entries.map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Page } = await timeline(
        mine.id,
        `&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.entries.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThan(9); // audit entries too, for the operator
    expect((await timeline(mine.id, '&cursor=not-a-cursor')).status).toBe(400);
    expect((await timeline(mine.id, '&kinds=weather')).status).toBe(400);
  });

  it("a client sees its own instance's entries that concern it, no console or audit; another's is a 404", async () => {
    const r = await timeline(mine.id, '&limit=500', clientToken);
    expect(r.status).toBe(200);
    const kinds = new Set(r.body.entries.map((e) => e.kind));
    expect(kinds.has('console')).toBe(false);
    expect(kinds.has('audit')).toBe(false);
    expect(r.body.entries.some((e) => e.id === 'command:cmd_a4')).toBe(false); // ping: plumbing
    expect(r.body.entries.some((e) => e.id === 'command:cmd_a3')).toBe(true);
    expect(JSON.stringify(r.body)).not.toContain('recording');
    expect((await timeline(mine.id, '&kinds=console', clientToken)).body.entries).toEqual([]);
    const other = await timeline(theirs.id, '', clientToken);
    expect(other.status).toBe(404);
  });

  it('shows deploys, server actions and alerts firing and resolving, to the client too', async () => {
    for (const token of [undefined, clientToken]) {
      const r = await timeline(mine.id, '&kinds=deploy,alert', token);
      expect(r.status).toBe(200);
      expect(r.body.entries.map((e) => `${e.kind}:${e.t.slice(11, 16)}:${e.status}`)).toEqual([
        'alert:10:16:resolved',
        'alert:10:14:firing',
        'deploy:10:12:null',
        'deploy:10:10:live',
      ]);
      const [resolved, firing, resize, deploy] = r.body.entries;
      expect(firing.title).toContain('disk 93 % full on vps-1');
      expect(firing.link).toBe('/api/v1/alerts/al_1');
      expect(resolved.detail).toMatchObject({ ruleId: 'disk_high', value: 70, from: 'firing' });
      expect(resize.title).toBe('server resize requested');
      expect(resize.detail).toMatchObject({ serverType: 'cx32' });
      expect(deploy.title).toBe('deploy to cx22 in fsn1: live in 44 s');
      expect(deploy.detail).toMatchObject({ deploymentId: 'dep_1', monthlyPrice: 4.59, seconds: 44 });
      expect(JSON.stringify(r.body)).not.toContain('al_2');
    }
    // Server actions are not repeated as audit entries.
    const audit = await timeline(mine.id, '&kinds=audit');
    expect(audit.body.entries.some((e) => e.title === 'instance.server_resize')).toBe(false);
  });

  it('exports CSV', async () => {
    const res = await fetch(
      `${hub.httpUrl}/api/v1/instances/${mine.id}/timeline?from=${at(0).toISOString()}&to=${at(60).toISOString()}&kinds=config&format=csv`,
      { headers: { authorization: `Bearer ${hub.token}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('t,kind,title,actor,status,link,id,detail');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('model set to anthropic/claude-opus-4');
  });

  it('records a rolled-back change reported by the sidecar and shows it', async () => {
    const now = Date.now();
    await hub.db.query(
      `INSERT INTO commands (id, instance_id, type, params, status, issued_by, issued_at, expires_at, updated_at)
       VALUES ('cmd_rb', $1, 'model.set', '{"model":"fake/broken"}', 'running', 'user:ops@test.local', $2, $3, $2)`,
      [mine.id, new Date(now - 5000), new Date(now + 600_000)],
    );
    const snapshot = {
      id: 'snap-1-cmd_rb',
      t: now - 4000,
      reason: 'model.set',
      openclawVersion: '2026.9.6',
      sidecarVersion: '0.1.0',
      configSha256: 'a'.repeat(64),
      model: 'fake/fake-model',
      files: ['openclaw.json'],
    };
    const done = await hub.db.tx((q) =>
      hub.ctx.commands.apply(q, mine.id, [
        {
          v: 1,
          id: 'm1',
          instanceId: mine.id,
          bootId: 'b1',
          seq: 1,
          ts: now,
          commandId: 'cmd_rb',
          state: 'failed',
          error: { code: 'rolled_back', message: 'model.set rolled back: check canary failed' },
          result: {
            change: {
              snapshot,
              outcome: 'rolled_back',
              failedCheck: 'canary',
              checks: [
                { name: 'readyz', ok: true, ms: 5 },
                { name: 'canary', ok: false, ms: 30000, detail: 'no answer' },
              ],
              rollbackChecks: [{ name: 'readyz', ok: true, ms: 8000 }],
            },
          },
        } as never,
      ]),
    );
    done?.();
    await expect
      .poll(
        async () =>
          (await hub.db.query('SELECT outcome FROM change_snapshots WHERE id = $1', [snapshot.id]))[0]?.outcome,
        {
          timeout: 10_000,
        },
      )
      .toBe('rolled_back');
    const r = await hub.api<Page>('GET', `/instances/${mine.id}/timeline?kinds=change`, undefined, clientToken);
    expect(r.status).toBe(200);
    expect(r.body.entries).toHaveLength(1);
    expect(r.body.entries[0]).toMatchObject({ kind: 'change', status: 'rolled_back' });
    expect(r.body.entries[0].title).toContain('failed check: canary');
  });
});
