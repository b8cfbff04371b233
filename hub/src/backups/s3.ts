import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type BackupStorage, checkKey, StorageError, type StoredObject, spoolFile } from './storage.js';

/** Settings of an S3-compatible store (hub settings `DS_BACKUP_S3_*`). */
export interface S3StorageSettings {
  bucket: string;
  /** Endpoint of a non-AWS store (MinIO, R2, B2, …); AWS when unset. */
  endpoint?: string;
  region?: string;
  /** Key prefix inside the bucket, `backups/` by default. */
  prefix?: string;
  /** Static credentials; without them the SDK's default chain (env, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (`endpoint/bucket/key`); default: on with a custom endpoint, off for AWS. */
  forcePathStyle?: boolean;
  /** Test hook: attempts per request (SDK default 3). */
  maxAttempts?: number;
}

/** Multipart part size: memory per upload is about part size x queue size. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

/**
 * Archives in an S3-compatible bucket under `<prefix><key>`. Uploads stream the spooled file in
 * multipart parts (a few parts in memory at a time, never the whole archive); downloads are the
 * object's body stream. The sha256 is also kept as object metadata (`x-amz-meta-sha256`).
 */
export class S3BackupStorage implements BackupStorage {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly spoolRoot: string;
  private readonly endpoint: string;

  constructor(s: S3StorageSettings, dataDir: string) {
    this.bucket = s.bucket;
    this.prefix = normalizePrefix(s.prefix ?? 'backups/');
    this.endpoint = s.endpoint ?? 'AWS S3';
    this.spoolRoot = resolve(dataDir, 'backups');
    mkdirSync(this.spoolRoot, { recursive: true, mode: 0o700 });
    const cfg: S3ClientConfig = {
      region: s.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: s.forcePathStyle ?? Boolean(s.endpoint),
      followRegionRedirects: true,
      // Our own size + sha256 guard the archive; the SDK's extra CRC trailers are not understood
      // by every S3-compatible store.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      ...(s.accessKeyId && s.secretAccessKey
        ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
        : {}),
      ...(s.maxAttempts ? { maxAttempts: s.maxAttempts } : {}),
    };
    this.client = new S3Client(cfg);
  }

  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  private key(key: string): string {
    return this.prefix + checkKey(key);
  }

  tempFile(name: string): string {
    return spoolFile(this.spoolRoot, name);
  }

  async put(key: string, file: string, info: { size: number; sha256: string }): Promise<void> {
    const body = createReadStream(file);
    try {
      await new Upload({
        client: this.client,
        params: {
          Bucket: this.bucket,
          Key: this.key(key),
          Body: body,
          ContentType: 'application/gzip',
          Metadata: { sha256: info.sha256 },
        },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      }).done();
      const st = await this.stat(key);
      if (st?.size !== info.size)
        throw new Error(`stored object has ${st ? `${st.size} bytes` : 'vanished'}, expected ${info.size}`);
    } catch (e) {
      throw new StorageError(`S3 upload to ${this.location}${key} failed: ${this.reason(e)}`);
    } finally {
      body.destroy();
      rmSync(file, { force: true });
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return { size: Number(h.ContentLength ?? 0) };
    } catch (e) {
      if (notFound(e)) return null;
      throw new StorageError(`S3 read of ${this.location}${key} failed: ${this.reason(e)}`);
    }
  }

  async get(key: string): Promise<{ stream: Readable; size: number } | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return { stream: r.Body as Readable, size: Number(r.ContentLength ?? 0) };
    } catch (e) {
      if (notFound(e)) return null;
      throw new StorageError(`S3 read of ${this.location}${key} failed: ${this.reason(e)}`);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
    } catch (e) {
      if (notFound(e)) return;
      throw new StorageError(`S3 delete of ${this.location}${key} failed: ${this.reason(e)}`);
    }
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }),
        );
        for (const o of r.Contents ?? [])
          if (o.Key) out.push({ key: o.Key.slice(this.prefix.length), size: Number(o.Size ?? 0) });
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw new StorageError(`S3 listing of ${this.location}${prefix} failed: ${this.reason(e)}`);
    }
    return out;
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const why = status === 404 ? `no bucket ${this.bucket} at ${this.endpoint} (HTTP 404)` : this.reason(e);
      throw new StorageError(`S3 bucket check of ${this.location} failed: ${why}`);
    }
  }

  close(): void {
    this.client.destroy();
  }

  /** A one-line reason an operator can act on. */
  private reason(e: unknown): string {
    const err = e as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    if (err.code && /^E[A-Z_]+$/.test(err.code)) return `cannot reach ${this.endpoint}: ${err.message || err.code}`;
    if (err.name === 'CredentialsProviderError')
      return `no credentials (set DS_BACKUP_S3_ACCESS_KEY_ID and DS_BACKUP_S3_SECRET_ACCESS_KEY): ${err.message}`;
    const http = status ? ` (HTTP ${status})` : '';
    if (!err.name || ['Error', 'Unknown', 'UnknownError'].includes(err.name)) {
      if (status === 403) return `access denied${http}: check the credentials and the bucket policy`;
      if (status === 404) return `not found${http}: check DS_BACKUP_S3_BUCKET and the endpoint`;
      return `${err.message || 'unknown error'}${http}`;
    }
    return `${err.name}${http}: ${err.message}`;
  }
}

const notFound = (e: unknown) => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    err.name === 'NoSuchKey' ||
    err.name === 'NotFound' ||
    (err.name !== 'NoSuchBucket' && err.$metadata?.httpStatusCode === 404)
  );
};

/** `a/b` -> `a/b/`; empty stays empty; no leading slash. */
export function normalizePrefix(p: string): string {
  const s = p.replace(/^\/+/, '');
  return s === '' || s.endsWith('/') ? s : `${s}/`;
}
