import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandSettled, startTestHub, type TestHub } from './helpers/hub.js';
import { type LocalS3, S3_KEYS, startLocalS3 } from './helpers/s3.js';
import { type SidecarProc, spawnSidecar, until } from './helpers/sidecar-proc.js';

/**
 * Backups with DS_BACKUP_S3_* set, against a local S3-compatible server: a real sidecar's archive
 * lands in the bucket, downloads and restores come from there, retention deletes the object; a
 * hub with wrong S3 credentials records a readable failed backup and keeps running.
 */
let s3: LocalS3;
let hub: TestHub;
let badHub: TestHub;
const procs: SidecarProc[] = [];
const root = mkdtempSync(path.join(tmpdir(), 'ds-bak-s3-'));
const stateA = path.join(root, 'a', '.openclaw');
const stateB = path.join(root, 'b', '.openclaw');
const stateC = path.join(root, 'c', '.openclaw');
const db = randomBytes(600 * 1024);
let a: string;
let b: string;
let c: string;
let client: S3Client;

const s3Settings = () => ({
  backupS3Bucket: s3.bucket,
  backupS3Endpoint: s3.endpoint,
  backupS3Prefix: 'fleet/',
  backupS3AccessKeyId: S3_KEYS.accessKeyId,
  backupS3SecretAccessKey: S3_KEYS.secretAccessKey,
});
async function online(h: TestHub, dir: string): Promise<string> {
  const inst = await h.newInstance();
  procs.push(
    spawnSidecar(
      { mqttUrl: h.mqttUrl, id: inst.id, secret: inst.secret, hubKey: h.hubPublicKey },
      { OPENCLAW_STATE_DIR: dir },
    ),
  );
  await until(() => h.ctx.fleet.get(inst.id)?.presence === 'online', 60_000, `${inst.id} online`);
  return inst.id;
}
const objects = async () =>
  ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? []).map((o) => ({
    key: o.Key,
    size: o.Size,
  }));

type Backup = { id: string; status: string; size: number; sha256: string; files: number; error: string | null };
async function settled(h: TestHub, id: string): Promise<Backup> {
  return until(
    async () => {
      const r = (await h.api<Backup>('GET', `/backups/${id}`)).body;
      return r.status === 'failed' || (r.status === 'ready' && r.files !== null) ? r : null;
    },
    60_000,
    'backup settled',
  );
}

beforeAll(async () => {
  mkdirSync(path.join(stateA, 'workspace'), { recursive: true });
  mkdirSync(path.join(stateA, 'agents/main/agent'), { recursive: true });
  writeFileSync(path.join(stateA, 'openclaw.json'), '{"agents":{"defaults":{"model":{"primary":"a/b"}}}}');
  writeFileSync(path.join(stateA, 'workspace/SOUL.md'), 'Stored in a bucket.');
  writeFileSync(path.join(stateA, 'agents/main/agent/openclaw-agent.sqlite'), db);
  mkdirSync(stateB, { recursive: true });
  writeFileSync(path.join(stateB, 'openclaw.json'), '{"old":true}');
  mkdirSync(stateC, { recursive: true });
  writeFileSync(path.join(stateC, 'openclaw.json'), '{"c":true}');
  s3 = await startLocalS3();
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_KEYS,
  });
  // s3rver checks the access key id (not SigV4 signatures): an unknown key is refused with S3's own error.
  [hub, badHub] = await Promise.all([
    startTestHub(s3Settings()),
    startTestHub({ ...s3Settings(), backupS3AccessKeyId: 'AKIAWRONGKEY', backupS3SecretAccessKey: 'not-the-secret' }),
  ]);
  [a, b, c] = await Promise.all([online(hub, stateA), online(hub, stateB), online(badHub, stateC)]);
}, 120_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.dispose()));
  await hub?.close();
  await badHub?.close();
  client?.destroy();
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('backups in S3-compatible storage', () => {
  it('stores the archive in the bucket, downloads it from there and restores it onto another instance', async () => {
    const created = await hub.api<Backup>('POST', `/instances/${a}/backups`);
    expect(created.status).toBe(202);
    const ready = await settled(hub, created.body.id);
    expect(ready, JSON.stringify(ready)).toMatchObject({ status: 'ready', files: 3 });
    expect(ready.size).toBeGreaterThan(600 * 1024);

    // In the bucket under the prefix, with the recorded size; nothing left in the data directory.
    expect(await objects()).toEqual([{ key: `fleet/${a}/${ready.id}.tar.gz`, size: ready.size }]);
    const local = path.join(hub.config.dataDir, 'backups');
    const leftovers = readdirSync(local, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(leftovers.map((e) => e.name)).toEqual([]);

    const dl = await fetch(`${hub.httpUrl}/api/v1/backups/${ready.id}/download`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-length')).toBe(String(ready.size));
    const bytes = Buffer.from(await dl.arrayBuffer());
    expect(bytes.length).toBe(ready.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ready.sha256);
    expect((await hub.api<Backup[]>('GET', `/instances/${a}/backups`)).body.map((x) => x.id)).toEqual([ready.id]);

    const restore = await hub.api<{ commandId: string }>('POST', `/backups/${ready.id}/restore`, { instanceId: b });
    expect(restore.status).toBe(202);
    const cmd = await commandSettled(hub, restore.body.commandId, 60_000, 'restore finished');
    expect(cmd, JSON.stringify(cmd)).toMatchObject({ status: 'succeeded' });
    expect(readFileSync(path.join(stateB, 'agents/main/agent/openclaw-agent.sqlite')).equals(db)).toBe(true);
    expect(readFileSync(path.join(stateB, 'workspace/SOUL.md'), 'utf8')).toBe('Stored in a bucket.');
  }, 150_000);

  it('retention deletes expired archives from the bucket; a missing object refuses a restore', async () => {
    const { storage } = hub.ctx.ops.backups;
    // An expired scheduled backup of `a` (not its newest), and recent scheduled rows so the tick starts no new backups.
    const key = `${a}/bak_expired.tar.gz`;
    const f = storage.tempFile('expired.part');
    writeFileSync(f, 'old archive');
    await storage.put(key, f, { size: 11, sha256: 'x' });
    const old = new Date(Date.now() - 20 * 86400_000);
    await hub.db.query(
      `INSERT INTO backups (id, instance_id, status, size, sha256, storage_key, scheduled, created_by, created_at)
       VALUES ('bak_expired', $1, 'ready', 11, 'x', $2, true, 'system', $3)`,
      [a, key, old],
    );
    for (const id of [a, b])
      await hub.db.query(
        `INSERT INTO backups (id, instance_id, status, scheduled, created_by) VALUES ($1, $2, 'failed', true, 'system')`,
        [`bak_recent_${id}`, id],
      );
    expect((await objects()).map((o) => o.key)).toContain(`fleet/${key}`);
    await hub.ctx.ops.backups.tick();
    expect((await objects()).map((o) => o.key)).not.toContain(`fleet/${key}`);
    expect(await hub.ctx.ops.backups.get('bak_expired')).toBeNull();

    // The object altered behind the hub's back (same size): the hub aborts the restore before its last chunk.
    const [ready] = (await hub.api<Backup[]>('GET', `/instances/${a}/backups`)).body.filter(
      (x) => x.status === 'ready',
    );
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: `fleet/${a}/${ready.id}.tar.gz`, Body: randomBytes(ready.size) }),
    );
    const bad = await hub.api<{ commandId: string }>('POST', `/backups/${ready.id}/restore`, { instanceId: b });
    expect(bad.status).toBe(202);
    const failed = await commandSettled<{ status: string; error: { message: string } | null }>(
      hub,
      bad.body.commandId,
      60_000,
      'restore finished',
    );

    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toMatch(/does not match its recorded size and sha256/);
    expect(readFileSync(path.join(stateB, 'workspace/SOUL.md'), 'utf8')).toBe('Stored in a bucket.');

    // The object removed behind the hub's back: restore says so instead of starting.
    await storage.delete(`${a}/${ready.id}.tar.gz`);
    const r = await hub.api<{ error: { message: string } }>('POST', `/backups/${ready.id}/restore`, { instanceId: b });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/backup archive is missing from s3:\/\/ds-backups\/fleet\//);
    expect((await hub.api('GET', `/backups/${ready.id}/download`)).status).toBe(404);
  }, 150_000);

  it('wrong S3 credentials give a failed backup with a readable reason, and the hub keeps running', async () => {
    const created = await badHub.api<Backup>('POST', `/instances/${c}/backups`);
    expect(created.status).toBe(202);
    const done = await settled(badHub, created.body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(
      /^store failed: S3 upload to s3:\/\/ds-backups\/fleet\/.+\.tar\.gz failed: InvalidAccessKeyId \(HTTP 403\): The AWS Access Key Id you provided does not exist/,
    );
    // No spool file left behind, nothing in the bucket from this hub.
    expect(existsSync(path.join(badHub.config.dataDir, 'backups/.incoming', `${done.id}.tar.gz.part`))).toBe(false);
    expect((await objects()).some((o) => o.key?.includes(c))).toBe(false);

    // A download that reaches the misconfigured storage answers 503 with the reason, not a 500.
    await badHub.db.query(
      `INSERT INTO backups (id, instance_id, status, size, sha256, storage_key, created_by)
       VALUES ('bak_forged', $1, 'ready', 1, 'x', $2, 'system')`,
      [c, `${c}/bak_forged.tar.gz`],
    );
    const dl = await badHub.api<{ error: { code: string; message: string } }>('GET', '/backups/bak_forged/download');
    expect(dl.status).toBe(503);
    expect(dl.body.error.message).toMatch(/^backup storage: S3 read of s3:\/\/ds-backups\/fleet\/.* failed: /);
    expect((await fetch(`${badHub.httpUrl}/healthz`)).status).toBe(200);
  }, 120_000);
});
