import { createHash } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import type { TransferFrame } from '@deepsignal/protocol';

/** The outcome of a received file. */
export type Received = { ok: true; size: number; sha256: string } | { ok: false; reason: string };

/**
 * Receives one file from a sidecar: chunks written in order, each acked after it is written
 * (at most the sender's window is in flight, so memory stays bounded); a repeated chunk is
 * acked again. The eof chunk's size and sha256 must match what arrived. [SPEC 7.2]
 */
export class FileReceiver {
  private next = 0;
  private size = 0;
  private readonly hash = createHash('sha256');
  private readonly out: WriteStream;
  private chain = Promise.resolve();
  private done = false;
  private failed = false;

  constructor(
    readonly file: string,
    private readonly ack: (seq: number) => void,
    private readonly finish: (r: Received) => void,
    private readonly maxBytes: number,
  ) {
    this.out = createWriteStream(file, { mode: 0o600 });
    this.out.on('error', (e) => this.fail(`write failed: ${e.message}`));
  }

  frame(f: TransferFrame): void {
    if (this.done) return;
    if (f.type === 'abort') {
      this.fail(`the sidecar aborted: ${f.reason}`);
      return;
    }
    if (f.type !== 'chunk') return;
    if (f.seq < this.next) {
      this.ack(f.seq);
      return;
    }
    if (f.seq > this.next) return; // QoS 1 keeps order; a gap means a lost chunk: the sender stalls and aborts
    this.next++;
    const data = Buffer.from(f.data, 'base64');
    this.size += data.length;
    if (this.size > this.maxBytes) {
      this.fail(`archive larger than ${this.maxBytes} bytes`);
      return;
    }
    this.hash.update(data);
    const { seq, eof } = f;
    this.chain = this.chain.then(
      () =>
        new Promise<void>((res) =>
          this.out.write(data, () => {
            if (!this.failed) this.ack(seq);
            res();
          }),
        ),
    );
    if (!eof) return;
    const sha = this.hash.digest('hex');
    this.done = true;
    if (eof.size !== this.size || eof.sha256 !== sha) {
      this.out.destroy();
      rmSync(this.file, { force: true });
      this.finish({ ok: false, reason: `checksum mismatch (${this.size} bytes, ${sha.slice(0, 12)}…)` });
      return;
    }
    void this.chain.then(() => this.out.end(() => this.finish({ ok: true, size: this.size, sha256: sha })));
  }

  fail(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.failed = true;
    this.out.destroy();
    rmSync(this.file, { force: true });
    this.finish({ ok: false, reason });
  }
}
