import {
  appendFileSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** Ids are kept this long past their expiry (covers the verifier's clock-skew allowance). */
const KEEP_AFTER_EXPIRY_MS = 10 * 60_000;

/**
 * Durable journal of command ids seen with a valid signature, so a replay is refused even after a
 * restart. An id is written and fsynced before its command starts. [SPEC 6.3.2]
 * Lines: `{"id":"…","exp":<expiresAt>}`; compacted at open (expired ids can no longer pass the
 * expiry check, so they need not be remembered).
 */
export class CommandJournal {
  private readonly seen = new Map<string, number>();
  private readonly file: string;

  constructor(dir: string, now: number = Date.now()) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'command-journal.log');
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {}
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const j = JSON.parse(line) as { id?: unknown; exp?: unknown };
        if (typeof j.id === 'string' && typeof j.exp === 'number') this.seen.set(j.id, j.exp);
      } catch {
        // a line torn by a crash: the command it named never started
      }
    }
    for (const [id, exp] of this.seen) if (exp + KEEP_AFTER_EXPIRY_MS < now) this.seen.delete(id);
    this.rewrite();
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** Records an id durably (append + fsync). */
  add(id: string, expiresAt: number): void {
    if (this.seen.has(id)) return;
    this.seen.set(id, expiresAt);
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ id, exp: expiresAt })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  get size(): number {
    return this.seen.size;
  }

  private rewrite(): void {
    const tmp = `${this.file}.tmp`;
    const body = [...this.seen].map(([id, exp]) => JSON.stringify({ id, exp })).join('\n');
    appendFileSync(tmp, '', { mode: 0o600 });
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, body ? `${body}\n` : '');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
