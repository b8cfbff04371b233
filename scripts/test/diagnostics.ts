import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { REPO_ROOT } from './processes.js';

/**
 * Logs of the processes and hubs a test started, kept so that a failed end-to-end test can be
 * diagnosed from one run: on failure (see setup.ts) each live source is written to
 * test-artifacts/logs/ and its tail printed beside the failure.
 */
const sources = new Map<string, () => string>();

/** Keeps `read` as a log source named `name` until the returned function is called. */
export function keepLog(name: string, read: () => string): () => void {
  let key = name;
  for (let i = 2; sources.has(key); i++) key = `${name}-${i}`;
  sources.set(key, read);
  return () => sources.delete(key);
}

/** A bounded in-memory text buffer (the newest `limit` characters), e.g. a child's stderr. */
export class LogRing {
  private text = '';
  constructor(private readonly limit = 200_000) {}
  push(chunk: string | Buffer) {
    this.text += chunk.toString();
    if (this.text.length > this.limit) this.text = this.text.slice(-this.limit);
  }
  toString() {
    return this.text;
  }
  /** A writable stream into the ring, for a pino logger. */
  stream(): Writable {
    return new Writable({
      write: (chunk, _enc, done) => {
        this.push(chunk as Buffer);
        done();
      },
    });
  }
}

const safe = (s: string) => s.replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 120);

/** Writes every kept log for a failed test and prints the last lines of each. */
export function dumpLogs(testName: string, file: string) {
  if (!sources.size) return;
  const dir = path.join(REPO_ROOT, 'test-artifacts', 'logs');
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const [name, read] of sources) {
    let text: string;
    try {
      text = read();
    } catch (e) {
      text = `(log unreadable: ${(e as Error).message})`;
    }
    const target = path.join(dir, `${safe(path.basename(file))}--${safe(testName)}--${safe(name)}.log`);
    writeFileSync(target, text);
    const tail = text.trimEnd().split('\n').slice(-25).join('\n');
    out.push(`--- ${name} (last lines; whole log in ${path.relative(REPO_ROOT, target)})\n${tail || '(empty)'}`);
  }
  process.stderr.write(`\n[diagnostics] "${testName}" failed; logs of what it started:\n${out.join('\n')}\n`);
}
