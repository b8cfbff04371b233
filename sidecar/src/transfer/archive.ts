import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { SidecarConfig } from '../config.js';

/** What a backup leaves out: caches, logs, temp files and installed modules. */
export const EXCLUDES = [
  './.restore-*',
  './.pre-restore-*',
  'cache',
  'caches',
  '.cache',
  'tmp',
  'logs',
  '*.log',
  '*.tmp',
  'node_modules',
  '*.sock',
];

/**
 * OpenClaw's state directory: `OPENCLAW_STATE_DIR` (OpenClaw's own override), else the directory
 * of the configured OpenClaw config file, else `~/.openclaw`.
 */
export function openclawStateDir(config: SidecarConfig): string {
  if (process.env.OPENCLAW_STATE_DIR) return path.resolve(process.env.OPENCLAW_STATE_DIR);
  if (config.openclawConfig) return path.dirname(path.resolve(config.openclawConfig));
  if (process.env.OPENCLAW_CONFIG_PATH) return path.dirname(path.resolve(process.env.OPENCLAW_CONFIG_PATH));
  return path.join(homedir(), '.openclaw');
}

function run(cmd: string, args: string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${err.trim().slice(0, 500)}`)),
    );
  });
}

/** Size and sha256 of a file. */
export async function fileDigest(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Writes a gzipped tar of `dir` (without EXCLUDES) to `file`; returns the number of entries. */
export async function createArchive(dir: string, file: string, signal: AbortSignal): Promise<number> {
  if (!existsSync(dir)) throw new Error(`OpenClaw state directory ${dir} does not exist`);
  const ex = EXCLUDES.flatMap((e) => ['--exclude', e]);
  await run('tar', ['-czf', file, ...ex, '-C', dir, '.'], signal);
  const list = await run('tar', ['-tzf', file], signal);
  return list.split('\n').filter((l) => l && !l.endsWith('/')).length;
}

/** Unpacks an archive into `dir` (which must exist and be empty); returns the number of files. */
export async function extractArchive(file: string, dir: string, signal: AbortSignal): Promise<number> {
  const list = await run('tar', ['-tzf', file], signal);
  const names = list.split('\n').filter(Boolean);
  // Refuse absolute paths and parent references before anything is written.
  if (names.some((n) => n.startsWith('/') || n.split('/').includes('..')))
    throw new Error('archive holds paths outside its directory');
  await run('tar', ['-xzf', file, '--no-same-owner', '-C', dir], signal);
  assertLinksInside(dir);
  return names.filter((n) => !n.endsWith('/')).length;
}

/**
 * Refuses a restored tree holding a symbolic link whose target leaves it (`openclaw.json ->
 * /etc/shadow`, `x -> ../../..`): once swapped in, OpenClaw or the next backup would read or
 * write through it. Checked after unpacking into the staging directory, before anything is used.
 */
export function assertLinksInside(root: string): void {
  const base = path.resolve(root);
  const walk = (dir: string) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isSymbolicLink()) {
        const to = readlinkSync(p);
        const resolved = path.resolve(path.dirname(p), to);
        const rel = path.relative(base, resolved);
        if (path.isAbsolute(to) || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel))
          throw new Error(`archive holds a link that leaves the restored tree: ${path.relative(base, p)} -> ${to}`);
      } else if (ent.isDirectory()) walk(p);
    }
  };
  walk(base);
}
