import { mkdirSync, unlinkSync } from 'node:fs';
import { AckState } from './ack-state.js';
import { decodePayload, encodePayload, encodeRecord, scanSegment } from './record.js';
import {
  ActiveSegment,
  fileSize,
  listSegments,
  readAt,
  readSegment,
  rewriteSegment,
  type Segment,
  segmentFile,
} from './segments.js';

/** Streams kept in the outbox until the hub acknowledges them. [SPEC 4] */
export type OutboxStream = 'metrics' | 'logs' | 'conversations' | 'events' | 'cmd-result';

/** At the cap these go first, in this order; conversations and command results are kept. */
const DROP_ORDER: OutboxStream[] = ['metrics', 'logs', 'events'];

const isDiskFull = (e: unknown) => ['ENOSPC', 'EDQUOT'].includes(String((e as NodeJS.ErrnoException)?.code));

/** Something the owner should report (as an event and a log line). */
export type OutboxNotice =
  | { type: 'dropped'; stream: string; records: number; bytes: number; reason?: 'cap' | 'disk_full' }
  | { type: 'corrupt'; segment: string; offset: number; why: string; lost: 'rest-of-segment' | 'record' }
  | { type: 'torn'; segment: string; offset: number };

/** Options of an outbox. */
export interface OutboxOptions {
  dir: string;
  /** Disk cap in bytes (segments included). */
  maxBytes: number;
  /** Roll to a new segment past this size (default: cap/16, 64 KiB..16 MiB). */
  segmentBytes?: number;
  /** fdatasync every append (default true). */
  fsync?: boolean;
  /** Called synchronously; do not append from inside it (defer instead). */
  onNotice?: (n: OutboxNotice) => void;
}

/** One held message. `state`: 0 waiting, 1 published and awaiting PUBACK, 2 awaiting the hub's ack. */
export interface OutboxEntry {
  ord: number;
  seg: number;
  offset: number;
  size: number;
  stream: string;
  bootId: string;
  seq: number;
  state: 0 | 1 | 2;
  done: boolean;
  /** The message, cached until first published. */
  msg?: Record<string, unknown>;
}

/**
 * Append-only, checksummed, capped disk queue of enveloped messages. Records leave only when an
 * ack covers them (or when dropped at the cap); replays keep their original bootId/seq. [SPEC 4]
 */
export class Outbox {
  private readonly segs = new Map<number, Segment>();
  private readonly byKey = new Map<string, OutboxEntry[]>();
  private queue: OutboxEntry[] = [];
  private head = 0;
  private nextOrd = 1;
  private active!: ActiveSegment;
  private readonly acks: AckState;
  private readonly segmentBytes: number;
  private ackDirty = false;
  /** Counters for status and tests. */
  readonly counters = { appended: 0, acked: 0, dropped: 0, diskFullDrops: 0, corrupt: 0, torn: 0, ackWrites: 0 };

  constructor(private readonly opts: OutboxOptions) {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    this.segmentBytes = opts.segmentBytes ?? Math.min(16 << 20, Math.max(64 << 10, Math.floor(opts.maxBytes / 16)));
    this.acks = new AckState(opts.dir);
    let last = 0;
    for (const n of listSegments(opts.dir)) {
      this.load(n);
      last = n;
    }
    this.acks.retain((k) => this.byKey.has(k));
    this.openActive(last + 1);
  }

  private notice(n: OutboxNotice): void {
    try {
      this.opts.onNotice?.(n);
    } catch {}
  }

  private load(n: number): void {
    const file = segmentFile(this.opts.dir, n);
    const buf = readSegment(file);
    const { records, end } = scanSegment(buf);
    const seg: Segment = { n, file, bytes: buf.length, pending: 0 };
    this.segs.set(n, seg);
    for (const r of records) {
      const rec = decodePayload(r.payload);
      if (!rec) {
        this.counters.corrupt++;
        this.notice({
          type: 'corrupt',
          segment: file,
          offset: r.offset,
          why: 'record is not a message',
          lost: 'record',
        });
        continue;
      }
      if (rec.seq <= this.acks.get(rec.bootId, rec.stream)) continue;
      this.index({
        ord: this.nextOrd++,
        seg: n,
        offset: r.offset,
        size: r.size,
        stream: rec.stream,
        bootId: rec.bootId,
        seq: rec.seq,
        state: 0,
        done: false,
      });
      seg.pending++;
    }
    if (end.kind === 'corrupt') {
      this.counters.corrupt++;
      this.notice({ type: 'corrupt', segment: file, offset: end.offset, why: end.why, lost: 'rest-of-segment' });
    } else if (end.kind === 'torn') {
      this.counters.torn++;
      this.notice({ type: 'torn', segment: file, offset: end.offset });
    }
    if (seg.pending === 0) this.removeSegment(n);
  }

  private index(e: OutboxEntry): void {
    this.queue.push(e);
    const k = AckState.key(e.bootId, e.stream);
    const list = this.byKey.get(k);
    if (list) list.push(e);
    else this.byKey.set(k, [e]);
  }

  private openActive(n: number): void {
    this.active = new ActiveSegment(n, segmentFile(this.opts.dir, n), this.opts.fsync ?? true);
    this.segs.set(n, { n, file: this.active.file, bytes: this.active.bytes, pending: 0 });
  }

  private removeSegment(n: number): void {
    const s = this.segs.get(n);
    if (!s) return;
    if (this.active && this.active.n === n) return;
    this.segs.delete(n);
    try {
      unlinkSync(s.file);
    } catch {}
  }

  /**
   * Appends an enveloped message (with bootId and seq). Durable when this returns an entry.
   * On a full disk (ENOSPC) it frees whole segments holding only droppable streams, in the drop
   * order, and tries again; if there is still no room, a droppable message is dropped (null) and a
   * conversation or command result throws. Every message lost this way is counted and reported
   * in a `dropped` notice (`reason: 'disk_full'`) as soon as something can be stored again.
   */
  append(stream: OutboxStream, message: Record<string, unknown>): OutboxEntry | null {
    const payload = encodePayload(stream, message);
    if (this.active.bytes > 0 && this.active.bytes + payload.length > this.segmentBytes) this.roll();
    const buf = encodeRecord(payload);
    let offset: number;
    for (;;) {
      try {
        offset = this.active.append(buf);
        break;
      } catch (e) {
        if (!isDiskFull(e)) throw e;
        if (this.freeForDisk()) continue;
        this.tallyDiskDrop(stream, 1, buf.length);
        if ((DROP_ORDER as string[]).includes(stream)) return null;
        throw e;
      }
    }
    const seg = this.segs.get(this.active.n)!;
    seg.bytes = this.active.bytes;
    seg.pending++;
    const e: OutboxEntry = {
      ord: this.nextOrd++,
      seg: this.active.n,
      offset,
      size: buf.length,
      stream,
      bootId: message.bootId as string,
      seq: message.seq as number,
      state: 0,
      done: false,
      msg: message,
    };
    this.index(e);
    this.counters.appended++;
    if (this.totalBytes() > this.opts.maxBytes) this.enforceCap();
    this.reportDiskDrops();
    return e;
  }

  /** Messages lost to a full disk and not yet reported, by stream. */
  private readonly diskDrops = new Map<string, { records: number; bytes: number }>();

  private tallyDiskDrop(stream: string, records: number, bytes: number): void {
    if (records === 0) return;
    const t = this.diskDrops.get(stream) ?? { records: 0, bytes: 0 };
    t.records += records;
    t.bytes += bytes;
    this.diskDrops.set(stream, t);
    this.counters.dropped += records;
    this.counters.diskFullDrops += records;
  }

  /** Reports what a full disk cost, once a message could be stored again (the report needs room too). */
  private reportDiskDrops(): void {
    for (const [stream, t] of [...this.diskDrops]) {
      this.diskDrops.delete(stream);
      this.notice({ type: 'dropped', stream, records: t.records, bytes: t.bytes, reason: 'disk_full' });
    }
  }

  /**
   * Frees space on a full disk without writing anything (a rewrite would need room): deletes the
   * oldest closed segment whose held records are all of droppable streams, preferring one with
   * metrics only, then metrics and logs, then events too. The active segment is rolled first
   * when it holds records, so it can be freed as well. Returns false when nothing can go.
   */
  private freeForDisk(): boolean {
    if (this.active.bytes > 0) this.roll();
    for (let i = 1; i <= DROP_ORDER.length; i++) {
      const allowed = new Set<string>(DROP_ORDER.slice(0, i));
      for (const n of [...this.segs.keys()].sort((a, b) => a - b)) {
        if (n === this.active.n) continue;
        const held = this.heldIn(n);
        if (!held.every((e) => allowed.has(e.stream))) continue;
        const byStream = new Map<string, { records: number; bytes: number }>();
        for (const e of held) {
          const t = byStream.get(e.stream) ?? { records: 0, bytes: 0 };
          t.records++;
          t.bytes += e.size;
          byStream.set(e.stream, t);
          this.forget(e);
        }
        for (const [st, t] of byStream) this.tallyDiskDrop(st, t.records, t.bytes);
        this.segs.delete(n);
        try {
          unlinkSync(segmentFile(this.opts.dir, n));
        } catch {}
        return true;
      }
    }
    return false;
  }

  private heldIn(n: number): OutboxEntry[] {
    const held: OutboxEntry[] = [];
    for (const list of this.byKey.values()) for (const e of list) if (e.seg === n) held.push(e);
    return held;
  }

  /** Takes an entry out of the outbox without an ack (dropped). */
  private forget(e: OutboxEntry): void {
    e.done = true;
    e.msg = undefined;
    const k = AckState.key(e.bootId, e.stream);
    const list = this.byKey.get(k);
    if (!list) return;
    const i = list.indexOf(e);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(k);
  }

  private roll(): void {
    const n = this.active.n;
    this.active.close();
    this.openActive(n + 1);
    if ((this.segs.get(n)?.pending ?? 0) === 0) this.removeSegment(n);
  }

  /** Bytes of all segment files. */
  totalBytes(): number {
    let t = 0;
    for (const s of this.segs.values()) t += s.bytes;
    return t;
  }

  /** Messages held (not yet acknowledged). */
  size(): number {
    let n = 0;
    for (const l of this.byKey.values()) n += l.length;
    return n;
  }

  /** The lowest seq still held for a boot and stream (the envelope's `base`). [SPEC 4.3] */
  baseOf(bootId: string, stream: string): number | undefined {
    return this.byKey.get(AckState.key(bootId, stream))?.[0]?.seq;
  }

  /** Handles one ack entry: everything <= seq of (bootId, stream) is committed. [SPEC 4.2] */
  ack(bootId: string, stream: string, seq: number): number {
    const k = AckState.key(bootId, stream);
    if (!this.acks.raise(bootId, stream, seq)) return 0;
    this.ackDirty = true;
    const list = this.byKey.get(k);
    if (!list) return 0;
    let i = 0;
    while (i < list.length && list[i].seq <= seq) this.finish(list[i++]);
    if (i === list.length) this.byKey.delete(k);
    else list.splice(0, i);
    this.counters.acked += i;
    return i;
  }

  /**
   * Persists the ack marks if they moved. Callers batch this (the sidecar: about once a second):
   * marks lost to a crash only mean those records are sent again and the hub drops them as
   * duplicates [SPEC 4.1]; a fully acked segment is deleted at once, so nothing is kept too long.
   */
  flushAcks(): void {
    if (!this.ackDirty) return;
    this.acks.retain((k) => this.byKey.has(k) || k.startsWith(`${this.currentBoot ?? ''}/`));
    // A failed write (a full disk) stays dirty and is tried again on the next flush.
    this.acks.save();
    this.ackDirty = false;
    this.counters.ackWrites++;
  }

  /** The current process's boot id, whose ack marks are kept even with nothing held. */
  currentBoot?: string;

  private finish(e: OutboxEntry): void {
    e.done = true;
    e.msg = undefined;
    const s = this.segs.get(e.seg);
    if (!s || --s.pending !== 0) return;
    // Everything in the active segment is acked: start a fresh one so its space is freed too
    // (otherwise a full disk stays full until the segment would have rolled).
    if (this.active.n === e.seg) {
      if (this.active.bytes > 0) this.roll();
    } else this.removeSegment(e.seg);
  }

  /** Entries in append order starting at index `from` of the live queue (skips finished ones). */
  *entries(fromOrd = 0): Generator<OutboxEntry> {
    this.trim();
    let lo = this.head;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.queue[mid].ord < fromOrd) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.queue.length; i++) if (!this.queue[i].done) yield this.queue[i];
  }

  /** The ord the next appended entry will get. */
  get endOrd(): number {
    return this.nextOrd;
  }

  private trim(): void {
    while (this.head < this.queue.length && this.queue[this.head].done) this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** The stored message of an entry, with `base` filled in for sending. */
  read(e: OutboxEntry): Record<string, unknown> {
    let msg = e.msg;
    if (!msg) {
      const seg = this.segs.get(e.seg);
      if (!seg) throw new Error(`segment ${e.seg} is gone`);
      const rec = decodePayload(readAt(seg.file, e.offset + 8, e.size - 8));
      if (!rec) throw new Error(`record at ${e.offset} of segment ${e.seg} is unreadable`);
      msg = rec.message;
    }
    return { ...msg, base: this.baseOf(e.bootId, e.stream) ?? e.seq };
  }

  /** Frees the in-memory copy once published (it can be read back from disk). */
  release(e: OutboxEntry): void {
    e.msg = undefined;
  }

  private enforceCap(): void {
    const target = Math.floor(this.opts.maxBytes * 0.9);
    for (const stream of DROP_ORDER) {
      if (this.totalBytes() <= target) return;
      if (this.hasPendingIn(this.active.n, stream)) this.roll();
      for (const n of [...this.segs.keys()].sort((a, b) => a - b)) {
        if (this.totalBytes() <= target) return;
        if (n === this.active.n || !this.hasPendingIn(n, stream)) continue;
        this.dropFromSegment(n, stream);
      }
    }
  }

  private hasPendingIn(n: number, stream: string): boolean {
    for (const [k, list] of this.byKey) {
      if (!k.endsWith(`/${stream}`)) continue;
      if (list.some((e) => e.seg === n)) return true;
    }
    return false;
  }

  /** Rewrites segment n without `stream`'s records (and without finished ones). */
  private dropFromSegment(n: number, stream: string): void {
    const seg = this.segs.get(n)!;
    const held: OutboxEntry[] = [];
    for (const list of this.byKey.values()) for (const e of list) if (e.seg === n) held.push(e);
    held.sort((a, b) => a.offset - b.offset);
    const keep = held.filter((e) => e.stream !== stream);
    const drop = held.filter((e) => e.stream === stream);
    const parts = keep.map((e) => readAt(seg.file, e.offset, e.size));
    rewriteSegment(seg.file, parts);
    let off = 0;
    for (const e of keep) {
      e.offset = off;
      off += e.size;
    }
    let bytes = 0;
    for (const e of drop) {
      bytes += e.size;
      e.done = true;
      e.msg = undefined;
      const k = AckState.key(e.bootId, e.stream);
      const list = this.byKey.get(k)!;
      const i = list.indexOf(e);
      list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(k);
    }
    seg.pending = keep.length;
    seg.bytes = keep.length ? fileSize(seg.file) : 0;
    if (keep.length === 0) this.segs.delete(n);
    this.counters.dropped += drop.length;
    this.notice({ type: 'dropped', stream, records: drop.length, bytes, reason: 'cap' });
  }

  close(): void {
    this.flushAcks();
    this.active.close();
  }
}
