import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One master key-encryption key with a short id (recorded next to everything it wraps). */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/** Master keys, newest first: the first wraps new data keys, all of them unwrap. */
export interface MasterKeyring {
  keys: MasterKey[];
  /** The file the keys came from (null when they came from DS_MASTER_KEY). */
  file: string | null;
}

const idOf = (key: Buffer) => `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;

/** Parses `id:base64` or bare base64 entries (32 bytes each), separated by commas or newlines. */
export function parseMasterKeys(text: string): MasterKey[] {
  const keys: MasterKey[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const entry = raw.trim();
    if (!entry || entry.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_-]{1,32}):(.+)$/.exec(entry);
    const key = Buffer.from(m ? m[2] : entry, 'base64');
    if (key.length !== 32) throw new Error('a master key must be 32 bytes, base64-encoded');
    keys.push({ id: m ? m[1] : idOf(key), key });
  }
  if (keys.length === 0) throw new Error('no master key found');
  return keys;
}

const line = (k: MasterKey) => `${k.id}:${k.key.toString('base64')}`;

/**
 * DS_MASTER_KEY, else DS_MASTER_KEY_FILE, else `<dataDir>/master-key` (generated on first start,
 * mode 0600, for the embedded setup).
 */
export function loadMasterKeyring(opts: {
  masterKey?: string;
  masterKeyFile?: string;
  dataDir: string;
}): MasterKeyring {
  if (opts.masterKey) return { keys: parseMasterKeys(opts.masterKey), file: null };
  const file = opts.masterKeyFile ?? join(opts.dataDir, 'master-key');
  if (!existsSync(file)) {
    if (opts.masterKeyFile) throw new Error(`DS_MASTER_KEY_FILE: ${file} does not exist`);
    const key = randomBytes(32);
    writeFileSync(file, `${line({ id: idOf(key), key })}\n`, { mode: 0o600 });
  }
  return { keys: parseMasterKeys(readFileSync(file, 'utf8')), file };
}

/** Adds a new newest key to the key file (the old ones stay to unwrap). Only for file-based keys. */
export function addMasterKey(ring: MasterKeyring): MasterKey {
  if (!ring.file) throw new Error('the master key comes from DS_MASTER_KEY; rotate it there (new key first)');
  const key = randomBytes(32);
  const k = { id: idOf(key), key };
  ring.keys.unshift(k);
  writeFileSync(ring.file, `${ring.keys.map(line).join('\n')}\n`, { mode: 0o600 });
  chmodSync(ring.file, 0o600);
  return k;
}
