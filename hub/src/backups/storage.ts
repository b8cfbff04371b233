import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { HubConfig } from '../config.js';

/** A stored archive as a listing shows it; `key` is relative to the store's root. */
export interface StoredObject {
  key: string;
  size: number;
}

/**
 * Where backup archives rest: the data directory by default, an S3-compatible bucket when
 * configured (`s3.ts`). Archives arrive in a local spool file (`tempFile`) and are moved in
 * with `put`; reads are streams, never whole archives in memory.
 */
export interface BackupStorage {
  /** Where archives go, for logs and errors (`<dir>` or `s3://bucket/prefix`). */
  readonly location: string;
  /** A local spool file for an archive being received. */
  tempFile(name: string): string;
  /** Moves a finished local file (already checked against `info`) into the store under `key`; the file is gone afterwards. */
  put(key: string, file: string, info: { size: number; sha256: string }): Promise<void>;
  /** Size of a stored archive, or null if it is not there. */
  stat(key: string): Promise<{ size: number } | null>;
  /** The archive as a stream, or null if it is not there. */
  get(key: string): Promise<{ stream: Readable; size: number } | null>;
  /** Removes an archive (no error if it is already gone). */
  delete(key: string): Promise<void>;
  /** Archives whose key starts with `prefix` (all when empty). */
  list(prefix?: string): Promise<StoredObject[]>;
  /** Checks that the store answers and the bucket is there (remote stores). */
  check?(): Promise<void>;
  /** Releases connections. */
  close?(): void;
}

/** Storage unreachable or refusing (`missing`: the archive is not there). The API answers 503 or 409. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly missing = false,
  ) {
    super(message);
  }
}

/** Keys are relative paths like `<instance>/<backup>.tar.gz`: no absolute paths, no `..`, no empty parts. */
export function checkKey(key: string): string {
  if (!key || key.startsWith('/') || key.split('/').some((p) => p === '' || p === '.' || p === '..'))
    throw new Error('bad backup key');
  return key;
}

/** Archives under `<dataDir>/backups/<key>` (or `<dir>/<key>` with `sub` '.', a regional volume). */
export class LocalBackupStorage implements BackupStorage {
  readonly root: string;

  constructor(dataDir: string, sub = 'backups') {
    this.root = resolve(dataDir, sub);
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
  }

  get location(): string {
    return this.root;
  }

  /** The local file of a key. */
  pathOf(key: string): string {
    return this.path(key);
  }

  private path(key: string): string {
    const p = resolve(this.root, checkKey(key));
    if (!p.startsWith(`${this.root}/`)) throw new Error('bad backup key');
    return p;
  }

  tempFile(name: string): string {
    return spoolFile(this.root, name);
  }

  async put(key: string, file: string): Promise<void> {
    const p = this.path(key);
    mkdirSync(dirname(p), { recursive: true });
    renameSync(file, p);
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const p = this.path(key);
    return existsSync(p) ? { size: statSync(p).size } : null;
  }

  async get(key: string): Promise<{ stream: Readable; size: number } | null> {
    const p = this.path(key);
    if (!existsSync(p)) return null;
    return { stream: createReadStream(p), size: statSync(p).size };
  }

  async delete(key: string): Promise<void> {
    rmSync(this.path(key), { force: true });
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name === SPOOL) continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          const key = relative(this.root, p);
          if (key.startsWith(prefix)) out.push({ key, size: statSync(p).size });
        }
      }
    };
    walk(this.root);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

const SPOOL = '.incoming';

/** `<root>/.incoming/<name>`: where an archive lands while it is received. */
export function spoolFile(root: string, name: string): string {
  const dir = join(root, SPOOL);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, name);
}

/** The store the settings ask for: S3 when `DS_BACKUP_S3_BUCKET` is set, else the data directory. */
export async function createBackupStorage(config: HubConfig): Promise<BackupStorage> {
  if (!config.backupS3Bucket) return new LocalBackupStorage(config.dataDir);
  // The AWS SDK is loaded only when it is used.
  const { S3BackupStorage } = await import('./s3.js');
  return new S3BackupStorage(
    {
      bucket: config.backupS3Bucket,
      endpoint: config.backupS3Endpoint,
      region: config.backupS3Region,
      prefix: config.backupS3Prefix,
      accessKeyId: config.backupS3AccessKeyId,
      secretAccessKey: config.backupS3SecretAccessKey,
      forcePathStyle: config.backupS3ForcePathStyle,
    },
    config.dataDir,
  );
}
