import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { FakeHetzner } from '../src/testing/hetzner-fake.js';
import { commandSettled, startTestHub, type TestHub } from './helpers/hub.js';
import { type LocalS3, S3_KEYS, startLocalS3 } from './helpers/s3.js';
import { type SidecarProc, spawnSidecar, until } from './helpers/sidecar-proc.js';

/**
 * Backups per region (DS_BACKUP_STORAGE_REGIONS): a client located in Helsinki has its backups in
 * the Finnish bucket (matched by its country), one in Ashburn on the US volume (matched by the
 * network zone), one without a location in the default store; each backup says where it is, and
 * download and restore read it from there.
 */
let s3: LocalS3;
let hub: TestHub;
const hetzner = new FakeHetzner({ bootMs: 100, actionMs: 50 });
const procs: SidecarProc[] = [];
const root = mkdtempSync(path.join(tmpdir(), 'ds-bak-region-'));
const usVolume = path.join(root, 'us-volume');
const state = (n: string) => path.join(root, n, '.openclaw');
let s3client: S3Client;

type Backup = {
  id: string;
  status: string;
  size: number;
  files: number | null;
  storage: { region: string | null; location: string };
};

async function clientIn(name: string, location?: string): Promise<{ clientId: string; instanceId: string }> {
  const c = (await hub.api<{ id: string }>('POST', '/clients', { name, industry: 'retail', plan: 'starter' })).body;
  if (location) expect((await hub.api('PUT', `/clients/${c.id}/location`, { location })).status).toBe(200);
  const inst = await hub.newInstance(c.id);
  const dir = state(name);
  mkdirSync(path.join(dir, 'workspace'), { recursive: true });
  writeFileSync(path.join(dir, 'openclaw.json'), '{}');
  writeFileSync(path.join(dir, 'workspace/SOUL.md'), `The agent of ${name}.`);
  procs.push(
    spawnSidecar(
      { mqttUrl: hub.mqttUrl, id: inst.id, secret: inst.secret, hubKey: hub.hubPublicKey },
      { OPENCLAW_STATE_DIR: dir },
    ),
  );
  await until(() => hub.ctx.fleet.get(inst.id)?.presence === 'online', 60_000, `${name} online`);
  return { clientId: c.id, instanceId: inst.id };
}

async function backUp(instanceId: string): Promise<Backup> {
  const created = await hub.api<Backup>('POST', `/instances/${instanceId}/backups`);
  expect(created.status).toBe(202);
  return until(
    async () => {
      const r = (await hub.api<Backup>('GET', `/backups/${created.body.id}`)).body;
      if (r.status === 'failed') throw new Error(JSON.stringify(r));
      return r.status === 'ready' && r.files !== null ? r : null;
    },
    60_000,
    'backup ready',
  );
}

beforeAll(async () => {
  [s3] = await Promise.all([startLocalS3('ds-backups-fi'), hetzner.start()]);
  s3client = new S3Client({ endpoint: s3.endpoint, region: 'eu-north-1', forcePathStyle: true, credentials: S3_KEYS });
  hub = await startTestHub({
    hetznerToken: 'test-token',
    hetznerUrl: hetzner.url,
    tailscaleApiKey: 'tskey-api-test',
    backupStorageRegions: JSON.stringify({
      FI: { bucket: s3.bucket, endpoint: s3.endpoint, region: 'eu-north-1', prefix: 'fi/', ...S3_KEYS },
      'us-east': { dir: usVolume },
    }),
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.dispose()));
  await hub?.close();
  s3client?.destroy();
  await Promise.all([s3?.close(), hetzner.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('backups in the client’s region', () => {
  it('refuses a malformed setting with a clear reason', () => {
    const base = { dataDir: root };
    expect(() => parseConfig({ ...base, backupStorageRegions: '{fi:' })).toThrow(/not JSON/);
    expect(() => parseConfig({ ...base, backupStorageRegions: '{"eu":{"bucket":"x"}}' })).toThrow(/bucket name/);
    expect(() => parseConfig({ ...base, backupStorageRegions: '{"Eu!":{"dir":"/x"}}' })).toThrow(/country code/);
    expect(() => parseConfig({ ...base, backupStorageRegions: '{"FI":{"bucket":"abc","accessKeyId":"k"}}' })).toThrow(
      /go together/,
    );
    expect(parseConfig({ ...base, backupStorageRegions: '{"fsn1":{"dir":"/x"}}' }).backupStorageRegions).toEqual({
      fsn1: { dir: '/x' },
    });
  });

  it('stores each client’s backups in its region, lists where, and restores from there', async () => {
    const [fi, us, none] = await Promise.all([
      clientIn('Helsinki Books', 'hel1'),
      clientIn('Ashburn Tools', 'ash'),
      clientIn('Nowhere Inc'),
    ]);
    const [bFi, bUs, bNone] = await Promise.all([
      backUp(fi.instanceId),
      backUp(us.instanceId),
      backUp(none.instanceId),
    ]);

    expect(bFi.storage).toEqual({ region: 'FI', location: `s3://${s3.bucket}/fi/` });
    const objects = (await s3client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? [];
    expect(objects.map((o) => [o.Key, o.Size])).toEqual([[`fi/${fi.instanceId}/${bFi.id}.tar.gz`, bFi.size]]);

    expect(bUs.storage).toEqual({ region: 'us-east', location: usVolume });
    expect(readdirSync(path.join(usVolume, us.instanceId))).toEqual([`${bUs.id}.tar.gz`]);

    const defaultDir = path.join(hub.config.dataDir, 'backups');
    expect(bNone.storage).toEqual({ region: null, location: defaultDir });
    expect(readdirSync(path.join(defaultDir, none.instanceId))).toEqual([`${bNone.id}.tar.gz`]);
    // Nothing of the located clients in the default store.
    expect(readdirSync(defaultDir).filter((d) => d !== '.incoming')).toEqual([none.instanceId]);

    // The list says where each one is.
    const listed = (await hub.api<Backup[]>('GET', `/instances/${fi.instanceId}/backups`)).body;
    expect(listed.map((b) => b.storage.region)).toEqual(['FI']);

    // Download and restore come from the regional store.
    const dl = await fetch(`${hub.httpUrl}/api/v1/backups/${bFi.id}/download`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect(dl.status).toBe(200);
    expect((await dl.arrayBuffer()).byteLength).toBe(bFi.size);
    writeFileSync(path.join(state('Helsinki Books'), 'workspace/SOUL.md'), 'changed after the backup');
    for (const [b, inst, name] of [
      [bFi, fi.instanceId, 'Helsinki Books'],
      [bUs, us.instanceId, 'Ashburn Tools'],
    ] as const) {
      const r = await hub.api<{ commandId: string }>('POST', `/backups/${b.id}/restore`, { instanceId: inst });
      expect(r.status).toBe(202);
      const cmd = await commandSettled(hub, r.body.commandId, 60_000, 'restore finished');
      expect(cmd, JSON.stringify(cmd)).toMatchObject({ status: 'succeeded' });
      expect(readFileSync(path.join(state(name), 'workspace/SOUL.md'), 'utf8')).toBe(`The agent of ${name}.`);
    }

    // A client that moves keeps its old backups where they were written; new ones follow it.
    expect((await hub.api('PUT', `/clients/${fi.clientId}/location`, { location: 'ash' })).status).toBe(200);
    const after = await backUp(fi.instanceId);
    expect(after.storage.region).toBe('us-east');
    expect((await hub.api<Backup>('GET', `/backups/${bFi.id}`)).body.storage.region).toBe('FI');
  }, 200_000);
});
