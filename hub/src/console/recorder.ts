import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An asciicast v2 recording (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line,
 * then `[seconds, "o", data]` for output and `[seconds, "r", "COLSxROWS"]` for resizes. Input is
 * not recorded (passwords typed at a prompt would end up in the file); commands echo as output.
 */
export class CastRecorder {
  private readonly out: WriteStream;
  private readonly start = Date.now();
  bytes = 0;

  constructor(
    readonly file: string,
    header: { width: number; height: number; title?: string },
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    this.out.on('error', () => {}); // a full disk must not take the hub down; the session goes on
    this.line({
      version: 2,
      width: header.width,
      height: header.height,
      timestamp: Math.floor(this.start / 1000),
      env: { TERM: 'xterm-256color' },
      ...(header.title ? { title: header.title } : {}),
    });
  }

  private line(v: unknown): void {
    this.out.write(`${JSON.stringify(v)}\n`);
  }

  private get t(): number {
    return Math.round(Date.now() - this.start) / 1000;
  }

  output(data: string): void {
    this.bytes += data.length;
    this.line([this.t, 'o', data]);
  }

  resize(cols: number, rows: number): void {
    this.line([this.t, 'r', `${cols}x${rows}`]);
  }

  close(): Promise<void> {
    return new Promise((r) => this.out.end(() => r()));
  }
}
