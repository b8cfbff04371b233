import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { verifyCommand } from '@deepsignal/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPgliteDataDir } from '../../../scripts/test/pglite-template.js';
import { type RunningHub, startHub } from '../../src/index.js';
import { ADMIN, connectSidecar, pub } from '../helpers/hub.js';

const CANARY = 'sk-ant-CANARY-7d1f0e9b4c2a';
const TG_CANARY = 'tg-bot-CANARY-55aa77';

function grepDir(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (readFileSync(p).includes(Buffer.from(needle))) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

/**
 * Secrets at rest: the API stores provider keys and channel tokens sealed with the client's data
 * key; commands carrying them keep them sealed until they are signed for delivery. The test greps
 * the database, the data directory (what a backup of the hub copies), the logs and the API answers.
 */
describe('secrets: envelope encryption, API, rotation and the plaintext grep', () => {
  let hub: RunningHub;
  let dataDir: string;
  const logLines: string[] = [];
  let token = '';
  let client = '';
  const api = async <T = unknown>(method: string, path: string, body?: unknown, t = token) => {
    const res = await fetch(`${hub.httpUrl}/api/v1${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${t}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
  };

  const start = async () => {
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk, _e, cb) {
          logLines.push(String(chunk));
          cb();
        },
      }),
    );
    hub = await startHub({
      httpPort: 0,
      mqttPort: 0,
      dataDir,
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      logger,
    });
    token = (await api<{ token: string }>('POST', '/auth/login', ADMIN, '')).body.token;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hub-secrets-'));
    seedPgliteDataDir(dataDir);
    await start();
    client = (await api<{ id: string }>('POST', '/clients', { name: 'Acme' })).body.id;
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a secret through the API, lists names only, and opens it server-side', async () => {
    const put = await api('PUT', `/clients/${client}/secrets/anthropic`, { value: CANARY });
    expect(put.status).toBe(200);
    expect(put.text).not.toContain(CANARY);
    const list = await api<{ name: string; updatedAt: string }[]>('GET', `/clients/${client}/secrets`);
    expect(list.body.map((s) => s.name)).toEqual(['anthropic']);
    expect(list.text).not.toContain(CANARY);
    expect(await hub.ctx.secrets.get(client, 'anthropic')).toBe(CANARY);
    const row = await hub.db.query<{ sealed: string }>('SELECT sealed FROM client_secrets WHERE client_id = $1', [
      client,
    ]);
    expect(row[0].sealed).toMatch(/^v1\./);
  });

  it('keeps secret command params sealed at rest and sends them signed to the sidecar', async () => {
    const inst = await api<{ id: string; secret: string }>('POST', '/instances', { clientId: client, hostname: 'h' });
    const c = await connectSidecar(hub.mqttUrl, inst.body.id, inst.body.secret);
    const got: Record<string, unknown>[] = [];
    c.on('message', (_topic, payload) => {
      const v = verifyCommand(JSON.parse(payload.toString()), {
        instanceId: inst.body.id,
        publicKeys: [hub.hubPublicKey],
        now: Date.now(),
        seen: () => false,
      });
      if (v.ok) got.push(v.command.params);
    });
    await c.subscribeAsync(`ds/v1/${inst.body.id}/cmd`, { qos: 1 });
    await pub(c, `ds/v1/${inst.body.id}/status`, {
      v: 1,
      id: 's',
      instanceId: inst.body.id,
      bootId: 'b',
      seq: 0,
      ts: Date.now(),
      state: 'online',
    });
    await expect.poll(() => hub.ctx.fleet.get(inst.body.id)?.status).toBe('online');
    const providerKey = (await hub.ctx.secrets.get(client, 'anthropic')) as string;
    const cmd = await api<{ id: string }>('POST', `/instances/${inst.body.id}/commands`, {
      type: 'config.apply',
      params: {
        providerKeys: { anthropic: providerKey },
        channels: { telegram: { enabled: true, botToken: TG_CANARY } },
      },
    });
    expect(cmd.status).toBe(202);
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]).toMatchObject({
      providerKeys: { anthropic: CANARY },
      channels: { telegram: { botToken: TG_CANARY } },
    });
    const view = await api('GET', `/commands/${cmd.body.id}`);
    expect(view.text).not.toContain(CANARY);
    expect(view.text).toContain('[redacted]');
    await c.endAsync();
  });

  it('rotates the client data key and the master key online; a restart still opens everything', async () => {
    const before = await hub.db.query<{ sealed: string }>('SELECT sealed FROM client_secrets WHERE client_id = $1', [
      client,
    ]);
    const rot = await api<{ resealed: number }>('POST', `/clients/${client}/keys/rotate`);
    expect(rot.body.resealed).toBeGreaterThanOrEqual(2); // the secret and the queued command's params
    const after = await hub.db.query<{ sealed: string }>('SELECT sealed FROM client_secrets WHERE client_id = $1', [
      client,
    ]);
    expect(after[0].sealed).not.toBe(before[0].sealed);
    expect(await hub.ctx.secrets.get(client, 'anthropic')).toBe(CANARY);
    const m = await api<{ keyId: string; rewrapped: number }>('POST', '/security/master-key/rotate');
    expect(m.status).toBe(200);
    expect(m.body.rewrapped).toBe(1);
    const wrapped = await hub.db.query<{ wrapped_key: string }>('SELECT wrapped_key FROM client_keys');
    expect(wrapped[0].wrapped_key.startsWith(`m:${m.body.keyId}:`)).toBe(true);
    await hub.stop();
    await start();
    expect(await hub.ctx.secrets.get(client, 'anthropic')).toBe(CANARY);
  });

  it('lets a client supply its own key-encryption key; removing it shreds the secrets', async () => {
    const other = (await api<{ id: string }>('POST', '/clients', { name: 'Byok' })).body.id;
    await api('PUT', `/clients/${other}/secrets/openrouter`, { value: 'or-key-1' });
    const kek = Buffer.alloc(32, 7).toString('base64');
    expect((await api('PUT', `/clients/${other}/kek`, { key: kek })).status).toBe(204);
    const row = await hub.db.query<{ wrapped_key: string; client_kek: string }>(
      'SELECT * FROM client_keys WHERE client_id = $1',
      [other],
    );
    expect(row[0].wrapped_key.startsWith('c:')).toBe(true);
    expect(row[0].client_kek).not.toContain(kek);
    expect(await hub.ctx.secrets.get(other, 'openrouter')).toBe('or-key-1');
    expect((await api('DELETE', `/clients/${other}/kek`)).status).toBe(204);
    expect(await hub.ctx.secrets.get(other, 'openrouter')).toBeNull();
  });

  it('never holds the plaintext in the database, the data directory or the logs', async () => {
    await hub.db.query("INSERT INTO hub_settings (key, value) VALUES ('grep-check', '\"or-key-plain-marker\"')");
    const tables = await hub.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    );
    expect(tables.length).toBeGreaterThan(10);
    for (const { table_name } of tables) {
      const rows = await hub.db.query(`SELECT * FROM "${table_name}"`);
      const text = JSON.stringify(rows);
      expect(text.includes(CANARY), table_name).toBe(false);
      expect(text.includes(TG_CANARY), table_name).toBe(false);
    }
    await hub.stop();
    // The grep sees the database files: a plain value written there is found.
    expect(grepDir(dataDir, 'or-key-plain-marker').length).toBeGreaterThan(0);
    expect(grepDir(dataDir, CANARY)).toEqual([]);
    expect(grepDir(dataDir, TG_CANARY)).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('').includes(CANARY)).toBe(false);
    expect(logLines.join('').includes(TG_CANARY)).toBe(false);
    await start();
  });

  it('rotates an instance MQTT secret without a gap: both work until the new one is used', async () => {
    const inst = await api<{ id: string; secret: string }>('POST', '/instances', { clientId: client, hostname: 'rot' });
    const id = inst.body.id;
    const fresh = 'n'.repeat(20) + Date.now().toString(36).padStart(20, '0');
    const cmd = await api('POST', `/instances/${id}/commands`, {
      type: 'credentials.rotate',
      params: { secret: fresh },
    });
    expect(cmd.status).toBe(202);
    const creds = await hub.db.query<Record<string, unknown>>(
      'SELECT * FROM instance_credentials WHERE instance_id = $1',
      [id],
    );
    expect(JSON.stringify(creds)).not.toContain(fresh);
    const cmdRow = await hub.db.query<Record<string, unknown>>(
      'SELECT params, sealed_params FROM commands WHERE instance_id = $1',
      [id],
    );
    expect(JSON.stringify(cmdRow)).not.toContain(fresh);
    const old = await connectSidecar(hub.mqttUrl, id, inst.body.secret);
    await old.endAsync();
    const now = await connectSidecar(hub.mqttUrl, id, fresh);
    await now.endAsync();
    await expect(connectSidecar(hub.mqttUrl, id, inst.body.secret)).rejects.toBeTruthy();
    const again = await connectSidecar(hub.mqttUrl, id, fresh);
    await again.endAsync();
  });
});
