import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where backup archives rest. The data directory is the default; an S3-compatible store can
 * implement the same three calls.
 */
export interface BackupStorage {
  /** Moves a finished local file into the store under `key`. */
  put(key: string, file: string): Promise<void>;
  get(key: string): Promise<{ stream: Readable; size: number } | null>;
  delete(key: string): Promise<void>;
}

/** Archives under `<dataDir>/backups/<key>`. */
export class LocalBackupStorage implements BackupStorage {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'backups');
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
  }

  /** The local file of a key. */
  pathOf(key: string): string {
    return this.path(key);
  }

  private path(key: string): string {
    const p = resolve(this.root, key);
    if (!p.startsWith(`${this.root}/`)) throw new Error('bad backup key');
    return p;
  }

  /** A temp file for an archive being received. */
  tempFile(name: string): string {
    mkdirSync(join(this.root, '.incoming'), { recursive: true });
    return join(this.root, '.incoming', name);
  }

  async put(key: string, file: string): Promise<void> {
    const p = this.path(key);
    mkdirSync(dirname(p), { recursive: true });
    renameSync(file, p);
  }

  async get(key: string): Promise<{ stream: Readable; size: number } | null> {
    const p = this.path(key);
    if (!existsSync(p)) return null;
    return { stream: createReadStream(p), size: statSync(p).size };
  }

  async delete(key: string): Promise<void> {
    rmSync(this.path(key), { force: true });
  }
}
