import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { LIMITS } from '@deepsignal/protocol';

/** Chunks in flight at most. [SPEC 7.2] */
const WINDOW = 8;
const STALL_MS = 60_000;

/**
 * Sends a stored archive to a sidecar in base64 chunks, at most 8 unacknowledged; the last chunk
 * carries size and sha256. The archive is read as a stream (from the data directory or S3) and
 * hashed on the way: if it does not match its recorded size and sha256, the transfer is aborted
 * instead of sending the last chunk. `ack(seq)` is fed from the sidecar's frames; `abort` stops it.
 */
export class FileSender {
  private acked = -1;
  private wake: () => void = () => {};
  private failure: string | null = null;

  constructor(
    private readonly open: () => Promise<Readable>,
    private readonly info: { size: number; sha256: string },
    private readonly send: (frame: Record<string, unknown>) => Promise<void>,
  ) {}

  ack(seq: number): void {
    if (seq > this.acked) this.acked = seq;
    this.wake();
  }

  abort(reason: string): void {
    this.failure = reason;
    this.wake();
  }

  private async waitAck(): Promise<void> {
    const before = this.acked;
    await new Promise<void>((res) => {
      this.wake = res;
      setTimeout(res, STALL_MS).unref();
    });
    if (this.acked === before && !this.failure) this.failure = 'no ack from the sidecar';
  }

  async run(): Promise<void> {
    let stream: Readable | null = null;
    try {
      stream = await this.open();
      const chunks = chunked(stream, LIMITS.maxTransferChunk);
      const hash = createHash('sha256');
      const total = Math.max(1, Math.ceil(this.info.size / LIMITS.maxTransferChunk));
      let bytes = 0;
      for (let seq = 0; seq < total; seq++) {
        while (seq - this.acked > WINDOW && !this.failure) await this.waitAck();
        if (this.failure) throw new Error(this.failure);
        const next = await chunks.next();
        const data = next.done ? Buffer.alloc(0) : next.value;
        bytes += data.length;
        hash.update(data);
        const last = seq === total - 1;
        if (last) {
          if (!(await chunks.next()).done) bytes++; // more than recorded
          if (bytes !== this.info.size || hash.digest('hex') !== this.info.sha256)
            throw new Error('the stored archive does not match its recorded size and sha256');
        } else if (data.length < LIMITS.maxTransferChunk)
          throw new Error(`the stored archive is shorter than its recorded ${this.info.size} bytes`);
        await this.send({
          type: 'chunk',
          seq,
          data: data.toString('base64'),
          ...(last ? { eof: this.info } : {}),
        });
      }
      while (this.acked < total - 1 && !this.failure) await this.waitAck();
      if (this.failure) throw new Error(this.failure);
    } catch (e) {
      await this.send({ type: 'abort', reason: (e as Error).message.slice(0, 200) }).catch(() => {});
      throw e;
    } finally {
      stream?.destroy();
    }
  }
}

/** Re-cuts a byte stream into pieces of exactly `size` bytes (the last one shorter); reads only as pulled. */
export async function* chunked(src: AsyncIterable<Buffer | string>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let len = 0;
  for await (const c of src) {
    let buf = typeof c === 'string' ? Buffer.from(c) : c;
    while (len + buf.length >= size) {
      const take = size - len;
      parts.push(buf.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      len = 0;
      buf = buf.subarray(take);
    }
    if (buf.length) {
      parts.push(buf);
      len += buf.length;
    }
  }
  if (len) yield Buffer.concat(parts);
}
