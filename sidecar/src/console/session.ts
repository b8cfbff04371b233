import { existsSync } from 'node:fs';
import type { IPty } from '@lydell/node-pty';

/** Output not yet covered by acks, beyond which the pty is paused. [SPEC 7.1] */
export const CONSOLE_WINDOW = 256 * 1024;
/** Largest output frame (well under the protocol's console data limit). */
const FRAME_MAX = 16 * 1024;
/** Output is coalesced for at most this long before it is sent. */
const FRAME_DELAY_MS = 10;

/** What a session sends: output frames and the final exit. */
export interface SessionSink {
  output(seq: number, data: string): void;
  exit(code: number | null, reason?: string): void;
}

/** The shell for consoles: $SHELL if it exists, else bash, else sh. */
export function pickShell(): string {
  for (const s of [process.env.SHELL, '/bin/bash', '/bin/sh']) if (s && existsSync(s)) return s;
  return '/bin/sh';
}

/**
 * One terminal: a pty running a login shell. Output is coalesced into frames of at most 16 KiB;
 * once 256 KiB are sent and not acknowledged the pty is paused, so a `yes` flood is held by the
 * kernel's pty buffer (the shell blocks) instead of growing memory. [SPEC 7.1]
 * `ack(bytes)` carries the total consumed so far (counted as the length of the data strings).
 */
export class ConsoleSession {
  private seq = 0;
  private sent = 0;
  private acked = 0;
  private paused = false;
  private pending = '';
  private flushTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private closed = false;
  readonly pid: number;

  constructor(
    readonly id: string,
    private readonly pty: IPty,
    readonly shell: string,
    private readonly idleMs: number,
    private readonly sink: SessionSink,
    private readonly onClosed: () => void,
  ) {
    this.pid = pty.pid;
    pty.onData((d) => this.onData(d));
    pty.onExit(({ exitCode, signal }) =>
      this.finish(signal ? null : exitCode, signal ? `signal ${signal}` : undefined),
    );
    this.touch();
  }

  /** Counters for tests and status. */
  get stats() {
    return { sent: this.sent, acked: this.acked, paused: this.paused, buffered: this.pending.length };
  }

  /** Text shown in the terminal as if the shell had written it (a banner before the prompt). */
  say(text: string): void {
    this.onData(text);
  }

  private onData(d: string): void {
    this.pending += d;
    if (this.pending.length >= FRAME_MAX) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FRAME_DELAY_MS);
    // The pty hands over at most a read's worth after pause(); the window still bounds memory.
    if (this.sent + this.pending.length - this.acked >= CONSOLE_WINDOW) this.pause();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.pending.length > 0) {
      const room = CONSOLE_WINDOW - (this.sent - this.acked);
      if (room <= 0) {
        this.pause();
        return;
      }
      const n = Math.min(FRAME_MAX, room, this.pending.length);
      const part = this.pending.slice(0, n);
      this.pending = this.pending.slice(n);
      this.sent += part.length;
      this.sink.output(this.seq++, part);
    }
  }

  private pause(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    this.pty.pause();
  }

  ack(total: number): void {
    if (total <= this.acked) return;
    this.acked = Math.min(total, this.sent);
    this.flush();
    if (this.paused && this.sent + this.pending.length - this.acked < CONSOLE_WINDOW) {
      this.paused = false;
      if (!this.closed) this.pty.resume();
    }
  }

  input(data: string): void {
    if (this.closed) return;
    this.touch();
    this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.closed) return;
    this.touch();
    this.pty.resize(cols, rows);
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close('idle timeout'), this.idleMs);
    this.idleTimer.unref?.();
  }

  /** Ends the shell (SIGHUP, as a terminal hang-up) and reports the exit. */
  close(reason: string): void {
    if (this.closed) return;
    try {
      this.pty.kill('SIGHUP');
    } catch {}
    // The pty's exit event may not come after a kill on every platform: report now.
    this.finish(null, reason);
  }

  private finish(code: number | null, reason?: string): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.flushTimer);
    this.sink.exit(code, reason);
    this.onClosed();
  }
}
