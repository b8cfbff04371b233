import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * The highest acknowledged seq per (bootId, stream), persisted atomically (tmp + fsync + rename).
 * Losing the newest write to a crash is harmless: the records are sent again and the hub drops
 * them as duplicates by (bootId, stream, seq). [SPEC 4.2]
 */
export class AckState {
  private acked = new Map<string, number>();
  private readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, 'acked.json');
    try {
      const j = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>;
      for (const [k, v] of Object.entries(j)) if (typeof v === 'number' && Number.isFinite(v)) this.acked.set(k, v);
    } catch {
      // Missing or unreadable: start empty (duplicates are dropped by the hub).
    }
  }

  static key(bootId: string, stream: string): string {
    return `${bootId}/${stream}`;
  }

  /** The highest acknowledged seq, or -1 when nothing is (seqs start at 0). [SPEC 3.1] */
  get(bootId: string, stream: string): number {
    return this.acked.get(AckState.key(bootId, stream)) ?? -1;
  }

  /** Raises the mark; returns whether it moved. */
  raise(bootId: string, stream: string, seq: number): boolean {
    const k = AckState.key(bootId, stream);
    if ((this.acked.get(k) ?? -1) >= seq) return false;
    this.acked.set(k, seq);
    return true;
  }

  /** Forgets keys no record refers to any more, so the file does not grow with every boot. */
  retain(keep: (key: string) => boolean): void {
    for (const k of [...this.acked.keys()]) if (!keep(k)) this.acked.delete(k);
  }

  save(): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(Object.fromEntries(this.acked)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
