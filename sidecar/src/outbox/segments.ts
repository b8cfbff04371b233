import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** One segment file: `seg-<n>.log`, records appended in order. */
export interface Segment {
  n: number;
  file: string;
  bytes: number;
  /** Records of this segment not yet acknowledged or dropped. */
  pending: number;
}

const NAME = /^seg-(\d{10})\.log$/;

export function segmentFile(dir: string, n: number): string {
  return path.join(dir, `seg-${String(n).padStart(10, '0')}.log`);
}

/** Segment numbers present in a directory, ascending; leftover rewrite temp files are removed. */
export function listSegments(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tmp')) {
      try {
        unlinkSync(path.join(dir, name));
      } catch {}
      continue;
    }
    const m = NAME.exec(name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

export function readSegment(file: string): Buffer {
  return readFileSync(file);
}

export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Reads `size` bytes at `offset` of a segment. */
export function readAt(file: string, offset: number, size: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, offset + got);
      if (n === 0) throw new Error(`short read in ${path.basename(file)} at ${offset}`);
      got += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** The segment being appended to. */
export class ActiveSegment {
  private fd: number;
  bytes = 0;

  constructor(
    readonly n: number,
    readonly file: string,
    private readonly sync: boolean,
  ) {
    this.fd = openSync(file, 'a', 0o600);
    this.bytes = fileSize(file);
  }

  /** Appends one framed record and returns its offset. Written (and synced) before returning. */
  append(buf: Buffer): number {
    const offset = this.bytes;
    let done = 0;
    try {
      while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
      // The kernel holds written bytes across kill -9; fdatasync adds power-loss safety.
      if (this.sync) fdatasyncSync(this.fd);
    } catch (e) {
      // A full disk can take part of a record: cut it off, so the segment stays a clean sequence
      // of records and the next append starts at a record boundary.
      try {
        ftruncateSync(this.fd, offset);
      } catch {}
      throw e;
    }
    this.bytes += buf.length;
    return offset;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {}
  }
}

/** Atomically replaces a segment with the given records (tmp + fsync + rename). */
export function rewriteSegment(file: string, parts: Buffer[]): void {
  if (parts.length === 0) {
    unlinkSync(file);
    return;
  }
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    for (const p of parts) {
      let done = 0;
      while (done < p.length) done += writeSync(fd, p, done, p.length - done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
