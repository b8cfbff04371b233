import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  channelTopic,
  encodeMessage,
  LIMITS,
  PROTOCOL_VERSION,
  type TransferFrame,
  transferChunkSchema,
} from '@deepsignal/protocol';
import type { Publish } from '../console/manager.js';

/** Chunks sent and not yet acknowledged, at most. [SPEC 7.2] */
export const TRANSFER_WINDOW = 8;
/** A transfer with no ack or chunk for this long is given up. */
const STALL_MS = 60_000;
/** Restores whose first frames may wait for their handler at once. */
const MAX_EARLY_TRANSFERS = 4;

interface Sending {
  acked: (seq: number) => void;
  abort: (reason: string) => void;
}
interface Receiving {
  frame: (f: TransferFrame) => void;
}

/**
 * File transfers over `transfer/<id>/<in|out>`: the sidecar sends backups `out` (chunks of up to
 * 128 KiB, at most 8 unacknowledged) and receives restores `in`, answering each chunk with an ack.
 * The last chunk carries the size and sha256 of the whole file. [SPEC 7.2]
 */
export class TransferManager {
  private readonly sending = new Map<string, Sending>();
  private readonly receiving = new Map<string, Receiving>();
  /**
   * Frames of a restore that arrived before its handler called `receive()`: the hub starts sending
   * when the command is `running`, which is reported before the handler runs. Bounded by the
   * hub's window (8 chunks) per transfer and by a few transfers; dropped after the stall time.
   */
  private readonly early = new Map<string, { frames: TransferFrame[]; at: number }>();
  readonly counters = { sent: 0, received: 0, ignored: 0 };

  constructor(
    private readonly instanceId: string,
    private readonly publish: () => Publish | null,
  ) {}

  private async out(id: string, body: Record<string, unknown>): Promise<void> {
    const pub = this.publish();
    if (!pub) throw new Error('not connected to the hub');
    await pub(channelTopic(this.instanceId, 'transfer', id, 'out'), encodeMessage({ v: PROTOCOL_VERSION, ...body }));
  }

  /** A frame on `transfer/<id>/in`. */
  handle(id: string, payload: Buffer): void {
    const f = transferChunkSchema.parse(JSON.parse(payload.toString()));
    const s = this.sending.get(id);
    const r = this.receiving.get(id);
    if (f.type === 'ack' && s) s.acked(f.seq);
    else if (f.type === 'abort' && s) s.abort(f.reason);
    else if (r) r.frame(f);
    else if (f.type === 'chunk' && this.keepEarly(id, f)) return;
    else this.counters.ignored++;
  }

  private keepEarly(id: string, f: TransferFrame): boolean {
    const now = Date.now();
    for (const [k, e] of this.early) if (now - e.at > STALL_MS) this.early.delete(k);
    const e = this.early.get(id) ?? (this.early.size < MAX_EARLY_TRANSFERS ? { frames: [], at: now } : null);
    if (!e || e.frames.length >= TRANSFER_WINDOW + 1) return false;
    e.frames.push(f);
    this.early.set(id, e);
    return true;
  }

  /** Sends a file; resolves once every chunk is acknowledged. */
  async send(
    id: string,
    file: string,
    info: { size: number; sha256: string },
    o: { signal: AbortSignal; progress: (pct: number) => void },
  ): Promise<void> {
    const fh = await open(file, 'r');
    const total = Math.max(1, Math.ceil(info.size / LIMITS.maxTransferChunk));
    let acked = -1;
    let failure: Error | null = null;
    let wake: () => void = () => {};
    const waitAck = () =>
      new Promise<void>((res) => {
        wake = res;
        setTimeout(res, STALL_MS).unref?.();
      });
    this.sending.set(id, {
      acked: (seq) => {
        if (seq > acked) acked = seq;
        wake();
      },
      abort: (reason) => {
        failure = new Error(`the hub aborted the transfer: ${reason}`);
        wake();
      },
    });
    const onAbort = () => {
      failure = new Error('transfer canceled');
      wake();
    };
    o.signal.addEventListener('abort', onAbort);
    try {
      const buf = Buffer.alloc(LIMITS.maxTransferChunk);
      for (let seq = 0; seq < total; seq++) {
        while (seq - acked > TRANSFER_WINDOW && !failure) {
          const before = acked;
          await waitAck();
          if (acked === before && !failure) failure = new Error('no ack from the hub');
        }
        if (failure) throw failure;
        const { bytesRead } = await fh.read(buf, 0, buf.length, seq * LIMITS.maxTransferChunk);
        const last = seq === total - 1;
        await this.out(id, {
          type: 'chunk',
          seq,
          data: buf.subarray(0, bytesRead).toString('base64'),
          ...(last ? { eof: info } : {}),
        });
        this.counters.sent++;
        o.progress(Math.round(((seq + 1) / total) * 100));
      }
      while (acked < total - 1 && !failure) {
        const before = acked;
        await waitAck();
        if (acked === before && !failure) failure = new Error('no ack from the hub');
      }
      if (failure) throw failure;
    } catch (e) {
      await this.out(id, { type: 'abort', reason: (e as Error).message.slice(0, 200) }).catch(() => {});
      throw e;
    } finally {
      o.signal.removeEventListener('abort', onAbort);
      this.sending.delete(id);
      await fh.close();
    }
  }

  /**
   * Receives a file into `dest`, acking each chunk in order; resolves when the chunk with `eof`
   * arrived and size and sha256 match both the eof and `expected`.
   */
  receive(id: string, dest: string, expected: { size: number; sha256: string }, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws: WriteStream = createWriteStream(dest, { mode: 0o600 });
      const hash = createHash('sha256');
      let next = 0;
      let size = 0;
      let done = false;
      let timer: NodeJS.Timeout;
      const fail = (e: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.receiving.delete(id);
        ws.destroy();
        void this.out(id, { type: 'abort', reason: e.message.slice(0, 200) }).catch(() => {});
        reject(e);
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => fail(new Error('transfer stalled')), STALL_MS);
        timer.unref?.();
      };
      arm();
      signal.addEventListener('abort', () => fail(new Error('transfer canceled')));
      ws.on('error', (e) => fail(e));
      const receiving: Receiving = {
        frame: (f) => {
          if (done) return;
          if (f.type === 'abort') return fail(new Error(`the hub aborted the transfer: ${f.reason}`));
          if (f.type !== 'chunk') return;
          arm();
          // A repeated chunk is acked again; one from the future waits for its turn (QoS 1 keeps order).
          if (f.seq < next) return void this.out(id, { type: 'ack', seq: f.seq }).catch(() => {});
          if (f.seq > next) return;
          const data = Buffer.from(f.data, 'base64');
          next++;
          size += data.length;
          hash.update(data);
          ws.write(data, () => void this.out(id, { type: 'ack', seq: f.seq }).catch(() => {}));
          this.counters.received++;
          if (!f.eof) return;
          const sha = hash.digest('hex');
          if (size !== f.eof.size || sha !== f.eof.sha256 || size !== expected.size || sha !== expected.sha256)
            return fail(new Error(`checksum mismatch: got ${size} bytes ${sha.slice(0, 12)}…`));
          done = true;
          clearTimeout(timer);
          this.receiving.delete(id);
          ws.end(() => resolve());
        },
      };
      this.receiving.set(id, receiving);
      const early = this.early.get(id);
      this.early.delete(id);
      for (const f of early?.frames ?? []) receiving.frame(f);
    });
  }
}
