import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandSettled, startTestHub, type TestHub } from './helpers/hub.js';
import { type SidecarProc, spawnSidecar, until } from './helpers/sidecar-proc.js';

/** Backup of one real sidecar's OpenClaw state, restored onto a second one (failover). */
let hub: TestHub;
const procs: SidecarProc[] = [];
const root = mkdtempSync(path.join(tmpdir(), 'ds-bak-'));
const stateA = path.join(root, 'a', '.openclaw');
const stateB = path.join(root, 'b', '.openclaw');
const db = randomBytes(700 * 1024); // several 128 KiB chunks
let a: string;
let b: string;

beforeAll(async () => {
  mkdirSync(path.join(stateA, 'workspace'), { recursive: true });
  mkdirSync(path.join(stateA, 'agents/main/agent'), { recursive: true });
  mkdirSync(path.join(stateA, 'cache'), { recursive: true });
  writeFileSync(path.join(stateA, 'openclaw.json'), '{"agents":{"defaults":{"model":{"primary":"a/b"}}}}');
  writeFileSync(path.join(stateA, 'workspace/SOUL.md'), 'You are helpful.');
  writeFileSync(path.join(stateA, 'agents/main/agent/openclaw-agent.sqlite'), db);
  writeFileSync(path.join(stateA, 'cache/big.bin'), randomBytes(1000));
  mkdirSync(stateB, { recursive: true });
  writeFileSync(path.join(stateB, 'openclaw.json'), '{"old":true}');
  hub = await startTestHub();
  for (const dir of [stateA, stateB]) {
    const inst = await hub.newInstance();
    procs.push(
      spawnSidecar(
        { mqttUrl: hub.mqttUrl, id: inst.id, secret: inst.secret, hubKey: hub.hubPublicKey },
        { OPENCLAW_STATE_DIR: dir },
      ),
    );
  }
  [a, b] = procs.map((p) => p.id);
  for (const id of [a, b]) await until(() => hub.ctx.fleet.get(id)?.presence === 'online', 45_000, `${id} online`);
}, 90_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.dispose()));
  await hub?.close();
  rmSync(root, { recursive: true, force: true });
});

type Backup = { id: string; status: string; size: number; sha256: string; files: number; error: string | null };

describe('backups', () => {
  it('creates a backup with size and checksum, downloads it, and restores it onto a second instance', async () => {
    const created = await hub.api<Backup>('POST', `/instances/${a}/backups`);
    expect(created.status).toBe(202);
    const ready = await until(
      async () => {
        const r = (await hub.api<Backup>('GET', `/backups/${created.body.id}`)).body;
        if (r.status === 'failed') throw new Error(`backup failed: ${r.error}`);
        return r.status === 'ready' && r.files !== null ? r : null;
      },
      30_000,
      'backup ready',
    );
    expect(ready.size).toBeGreaterThan(700 * 1024);
    expect(ready.files).toBe(3); // config, SOUL.md, the agent database; not the cache

    const dl = await fetch(`${hub.httpUrl}/api/v1/backups/${ready.id}/download`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect(dl.status).toBe(200);
    const bytes = Buffer.from(await dl.arrayBuffer());
    expect(bytes.length).toBe(ready.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ready.sha256);
    expect((await hub.api<Backup[]>('GET', `/instances/${a}/backups`)).body.map((x) => x.id)).toEqual([ready.id]);

    const restore = await hub.api<{ commandId: string }>('POST', `/backups/${ready.id}/restore`, { instanceId: b });
    expect(restore.status).toBe(202);
    const cmd = await commandSettled(hub, restore.body.commandId, 30_000, 'restore finished');
    expect(cmd, JSON.stringify(cmd)).toMatchObject({ status: 'succeeded' });
    expect(readFileSync(path.join(stateB, 'agents/main/agent/openclaw-agent.sqlite')).equals(db)).toBe(true);
    expect(readFileSync(path.join(stateB, 'workspace/SOUL.md'), 'utf8')).toBe('You are helpful.');
    expect(existsSync(path.join(stateB, 'cache'))).toBe(false);

    const audit = await hub.api<{ action: string }[]>('GET', '/audit?action=backup');
    expect(audit.body.map((e) => e.action).sort()).toEqual(['backup.create', 'backup.restore']);
  }, 90_000);
});
