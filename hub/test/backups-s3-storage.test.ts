import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BackupStorage } from '../src/backups/s3.js';
import { chunked } from '../src/backups/sender.js';
import { createBackupStorage, LocalBackupStorage, StorageError } from '../src/backups/storage.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { type LocalS3, S3_KEYS, startLocalS3 } from './helpers/s3.js';

/** The S3 backup store against a local S3-compatible server; settings validation. */
let s3: LocalS3;
let store: S3BackupStorage;
const dataDir = mkdtempSync(path.join(tmpdir(), 'ds-s3st-'));

beforeAll(async () => {
  s3 = await startLocalS3();
  store = new S3BackupStorage({ bucket: s3.bucket, endpoint: s3.endpoint, prefix: 'hub1', ...S3_KEYS }, dataDir);
});
afterAll(async () => {
  store?.close();
  await s3?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
async function drain(s: Readable): Promise<{ size: number; sha256: string; peak: number }> {
  const h = createHash('sha256');
  let size = 0;
  let peak = 0;
  for await (const c of s) {
    h.update(c);
    size += c.length;
    peak = Math.max(peak, c.length);
  }
  return { size, sha256: h.digest('hex'), peak };
}
/** A spooled archive as the receiver leaves it. */
function spool(s: S3BackupStorage | LocalBackupStorage, name: string, data: Buffer) {
  const f = s.tempFile(name);
  writeFileSync(f, data);
  return f;
}

describe('S3 backup storage', () => {
  it('streams a multipart upload, keeps size and checksum, and streams it back', async () => {
    const data = randomBytes(17 * 1024 * 1024 + 321); // three 8 MiB parts
    const file = spool(store, 'big.part', data);
    await store.put('inst_a/bak_1.tar.gz', file, { size: data.length, sha256: sha(data) });
    expect(existsSync(file)).toBe(false);
    expect(await store.stat('inst_a/bak_1.tar.gz')).toEqual({ size: data.length });

    const got = await store.get('inst_a/bak_1.tar.gz');
    expect(got?.size).toBe(data.length);
    const read = await drain(got?.stream as Readable);
    expect(read.size).toBe(data.length);
    expect(read.sha256).toBe(sha(data));
    expect(read.peak).toBeLessThan(1024 * 1024); // a stream of small pieces, not one buffer

    // Under the prefix, with the checksum as metadata, as an operator sees it in the bucket.
    const head = await store.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'hub1/inst_a/bak_1.tar.gz' }));
    expect(head.Metadata?.sha256).toBe(sha(data));
    expect(head.ContentType).toBe('application/gzip');
  }, 30_000);

  it('lists, deletes, and answers null for what is not there', async () => {
    const small = Buffer.from('tiny archive');
    for (const k of ['inst_b/bak_1.tar.gz', 'inst_b/bak_2.tar.gz', 'inst_c/bak_3.tar.gz'])
      await store.put(k, spool(store, 'x.part', small), { size: small.length, sha256: sha(small) });
    expect(await store.list('inst_b/')).toEqual([
      { key: 'inst_b/bak_1.tar.gz', size: small.length },
      { key: 'inst_b/bak_2.tar.gz', size: small.length },
    ]);
    expect((await store.list()).map((o) => o.key)).toEqual(
      expect.arrayContaining(['inst_a/bak_1.tar.gz', 'inst_b/bak_1.tar.gz', 'inst_c/bak_3.tar.gz']),
    );
    await store.delete('inst_b/bak_1.tar.gz');
    await store.delete('inst_b/bak_1.tar.gz'); // already gone: no error
    expect((await store.list('inst_b/')).map((o) => o.key)).toEqual(['inst_b/bak_2.tar.gz']);
    expect(await store.get('inst_b/bak_1.tar.gz')).toBeNull();
    expect(await store.stat('inst_b/bak_1.tar.gz')).toBeNull();
    await expect(
      store.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'hub1/inst_b/bak_1.tar.gz' })),
    ).rejects.toThrow();
    await expect(store.get('../escape')).rejects.toThrow('bad backup key');
  });

  it('gives readable errors for a wrong endpoint, wrong credentials and a missing bucket', async () => {
    const data = Buffer.from('archive');
    const info = { size: data.length, sha256: sha(data) };
    const bad = (over: object) =>
      new S3BackupStorage({ bucket: s3.bucket, endpoint: s3.endpoint, ...S3_KEYS, maxAttempts: 1, ...over }, dataDir);

    const closed = bad({ endpoint: 'http://127.0.0.1:9' });
    const file = spool(closed, 'e.part', data);
    const e1 = await closed.put('i/b.tar.gz', file, info).catch((e) => e);
    expect(e1).toBeInstanceOf(StorageError);
    expect(e1.message).toMatch(
      /^S3 upload to s3:\/\/ds-backups\/backups\/i\/b\.tar\.gz failed: cannot reach http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
    );
    expect(existsSync(file)).toBe(false); // the spool file does not pile up
    await expect(closed.get('i/b.tar.gz')).rejects.toThrow(/cannot reach/);
    await expect(closed.check()).rejects.toThrow(
      /^S3 bucket check of s3:\/\/ds-backups\/backups\/ failed: cannot reach/,
    );
    await expect(store.check()).resolves.toBeUndefined();
    closed.close();

    const creds = bad({ accessKeyId: 'WRONG', secretAccessKey: 'WRONG' });
    await expect(creds.put('i/b.tar.gz', spool(creds, 'c.part', data), info)).rejects.toThrow(
      /failed: InvalidAccessKeyId \(HTTP 403\)/,
    );
    await expect(creds.stat('i/b.tar.gz')).rejects.toThrow(/access denied \(HTTP 403\)/);
    creds.close();

    const nobucket = bad({ bucket: 'no-such-bucket' });
    await expect(nobucket.put('i/b.tar.gz', spool(nobucket, 'n.part', data), info)).rejects.toThrow(
      /NoSuchBucket \(HTTP 404\)/,
    );
    await expect(nobucket.check()).rejects.toThrow(
      /failed: no bucket no-such-bucket at http:\/\/127\.0\.0\.1:\d+ \(HTTP 404\)/,
    );
    nobucket.close();
  });

  it('re-cuts a stream into transfer chunks without reading ahead', async () => {
    async function* src() {
      yield Buffer.alloc(5, 1);
      yield Buffer.alloc(9, 2);
      yield Buffer.alloc(2, 3);
    }
    const out: number[] = [];
    for await (const c of chunked(src(), 4)) out.push(c.length);
    expect(out).toEqual([4, 4, 4, 4]);
    const odd: number[] = [];
    for await (const c of chunked(src(), 6)) odd.push(c.length);
    expect(odd).toEqual([6, 6, 4]);
  });
});

describe('backup storage settings', () => {
  const base = { dataDir };
  it('defaults to the data directory and selects S3 when a bucket is set', async () => {
    const local = await createBackupStorage(parseConfig(base));
    expect(local).toBeInstanceOf(LocalBackupStorage);
    expect(local.location).toBe(path.join(dataDir, 'backups'));
    const s = await createBackupStorage(
      parseConfig({
        ...base,
        backupS3Bucket: 'my-bucket',
        backupS3Endpoint: 'http://127.0.0.1:9000',
        backupS3Prefix: 'a/b',
      }),
    );
    expect(s).toBeInstanceOf(S3BackupStorage);
    expect(s.location).toBe('s3://my-bucket/a/b/');
    s.close?.();
  });

  it('refuses bad S3 settings with the variable to fix', () => {
    const bad = (o: Record<string, unknown>) => {
      try {
        parseConfig({ ...base, ...o });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ backupS3Bucket: 'Bad_Bucket' })).toMatch(/^DS_BACKUP_S3_BUCKET: a bucket name/);
    expect(bad({ backupS3Bucket: 'b-1', backupS3Endpoint: 'minio:9000' })).toMatch(
      /^DS_BACKUP_S3_ENDPOINT: an http\(s\) URL/,
    );
    expect(bad({ backupS3Bucket: 'b-1', backupS3Endpoint: 'ftp://x' })).toMatch(/^DS_BACKUP_S3_ENDPOINT/);
    expect(bad({ backupS3Bucket: 'b-1', backupS3AccessKeyId: 'AK' })).toMatch(
      /^DS_BACKUP_S3_ACCESS_KEY_ID: DS_BACKUP_S3_ACCESS_KEY_ID and DS_BACKUP_S3_SECRET_ACCESS_KEY go together/,
    );
    expect(bad({ backupS3Endpoint: 'http://127.0.0.1:9000' })).toMatch(/^DS_BACKUP_S3_BUCKET: set the bucket/);
    expect(bad({ backupS3Bucket: 'b-1', backupS3Prefix: 'a/../b' })).toMatch(/^DS_BACKUP_S3_PREFIX/);
    expect(bad({ backupS3Bucket: 'b-1', backupS3ForcePathStyle: 'maybe' })).toMatch(/^DS_BACKUP_S3_FORCE_PATH_STYLE/);
  });
});
