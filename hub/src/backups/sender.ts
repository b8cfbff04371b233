import { open } from 'node:fs/promises';
import { LIMITS } from '@deepsignal/protocol';

/** Chunks in flight at most. [SPEC 7.2] */
const WINDOW = 8;
const STALL_MS = 60_000;

/**
 * Sends a stored archive to a sidecar in base64 chunks, at most 8 unacknowledged; the last chunk
 * carries size and sha256. `ack(seq)` is fed from the sidecar's frames; `abort` stops it.
 */
export class FileSender {
  private acked = -1;
  private wake: () => void = () => {};
  private failure: string | null = null;

  constructor(
    private readonly file: string,
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
    const fh = await open(this.file, 'r');
    try {
      const total = Math.max(1, Math.ceil(this.info.size / LIMITS.maxTransferChunk));
      const buf = Buffer.alloc(LIMITS.maxTransferChunk);
      for (let seq = 0; seq < total; seq++) {
        while (seq - this.acked > WINDOW && !this.failure) await this.waitAck();
        if (this.failure) throw new Error(this.failure);
        const { bytesRead } = await fh.read(buf, 0, buf.length, seq * LIMITS.maxTransferChunk);
        await this.send({
          type: 'chunk',
          seq,
          data: buf.subarray(0, bytesRead).toString('base64'),
          ...(seq === total - 1 ? { eof: this.info } : {}),
        });
      }
      while (this.acked < total - 1 && !this.failure) await this.waitAck();
      if (this.failure) throw new Error(this.failure);
    } catch (e) {
      await this.send({ type: 'abort', reason: (e as Error).message.slice(0, 200) }).catch(() => {});
      throw e;
    } finally {
      await fh.close();
    }
  }
}
