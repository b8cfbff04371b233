import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** Active daily log files: `openclaw-YYYY-MM-DD.log` or `openclaw-<profile>-YYYY-MM-DD.log` (not the `.N.log` archives). */
const ACTIVE = /^openclaw-(?:[a-z0-9-]+-)?(\d{4}-\d{2}-\d{2})\.log$/;

/** The newest active log file in a directory, or null. */
export function newestLogFile(dir: string): string | null {
  let best: { name: string; date: string } | null = null;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    const m = ACTIVE.exec(name);
    if (m && (!best || m[1] > best.date || (m[1] === best.date && name < best.name))) best = { name, date: m[1] };
  }
  return best ? path.join(dir, best.name) : null;
}

/** Where reading stopped; persisted so a restart resumes instead of skipping or repeating. */
export interface LogCursor {
  file: string;
  ino: number;
  offset: number;
}

const MAX_READ = 1024 * 1024;

/**
 * Follows the gateway's log across daily files, size rotation (`.1.log` archives) and truncation.
 * `poll()` returns the complete new lines since the last call.
 */
export class LogFollower {
  private fd: number | null = null;
  private cur: LogCursor | null = null;
  private partial = '';

  constructor(
    private readonly dir: string,
    private readonly cursorFile: string | null,
  ) {
    if (cursorFile) {
      try {
        const c = JSON.parse(readFileSync(cursorFile, 'utf8')) as LogCursor;
        if (typeof c.file === 'string' && typeof c.offset === 'number' && typeof c.ino === 'number') this.cur = c;
      } catch {}
    }
  }

  private open(file: string, fromEnd: boolean): void {
    this.close();
    try {
      const fd = openSync(file, 'r');
      const st = fstatSync(fd);
      const resume = this.cur && this.cur.file === file && this.cur.ino === st.ino && this.cur.offset <= st.size;
      this.fd = fd;
      this.cur = { file, ino: st.ino, offset: resume ? this.cur!.offset : fromEnd ? st.size : 0 };
      this.partial = '';
    } catch {
      this.fd = null;
    }
  }

  private read(): string {
    if (this.fd === null || !this.cur) return '';
    let out = '';
    for (;;) {
      const buf = Buffer.allocUnsafe(MAX_READ);
      const n = readSync(this.fd, buf, 0, MAX_READ, this.cur.offset);
      if (n <= 0) break;
      this.cur.offset += n;
      out += buf.subarray(0, n).toString('utf8');
      if (n < MAX_READ || out.length > 4 * MAX_READ) break;
    }
    return out;
  }

  /**
   * New complete lines. Without a saved cursor the first call reads the current file from its
   * start (a fresh install ships today's log); with one it resumes where it stopped.
   */
  poll(): string[] {
    const first = this.fd === null;
    const target = newestLogFile(this.dir);
    let text = '';
    if (!target) return [];
    if (first) this.open(target, false);
    else if (target !== this.cur?.file) {
      // a new day: finish yesterday's file, then read today's from its start
      text += this.read();
      this.open(target, false);
    } else {
      let ino = -1;
      try {
        ino = statSync(target).ino;
      } catch {}
      if (ino !== this.cur.ino) {
        // rotated by size: drain the renamed file through our fd, then start the fresh one
        text += this.read();
        this.open(target, false);
      } else if (this.fd !== null && fstatSync(this.fd).size < this.cur.offset) {
        this.cur.offset = 0; // truncated
        this.partial = '';
      }
    }
    text += this.read();
    if (!text) return [];
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    return lines;
  }

  /** Where the lines returned so far end (the cursor minus any partial line), or null. */
  position(): LogCursor | null {
    if (!this.cur) return null;
    return { ...this.cur, offset: this.cur.offset - Buffer.byteLength(this.partial) };
  }

  /**
   * Persists a cursor atomically: by default the current position; pass an earlier
   * `position()` to record only lines that are known to be safe elsewhere.
   */
  save(at: LogCursor | null = this.position()): void {
    if (!this.cursorFile || !at) return;
    const c = at;
    try {
      writeFileSync(`${this.cursorFile}.tmp`, JSON.stringify(c), { mode: 0o600 });
      renameSync(`${this.cursorFile}.tmp`, this.cursorFile);
    } catch {}
  }

  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {}
    }
    this.fd = null;
  }
}
