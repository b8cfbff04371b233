import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * When this agent first saw each instance's OpenClaw down. The hub keeps only the latest OpenClaw
 * state, not since when, so the grace period is measured from the agent's own observations; a
 * file keeps them across `--once` runs (e.g. from cron). Without a file it lives in memory.
 */
export class DownSinceStore {
  private readonly map = new Map<string, number>();
  /** When each `<instance>:<kind>` finding was last posted to the hub. */
  private readonly reported = new Map<string, number>();
  /** The hub's id of that finding, for the proposals that follow from it. */
  private readonly findingIds = new Map<string, string>();

  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as {
        downSince?: Record<string, unknown>;
        reported?: Record<string, unknown>;
        findingIds?: Record<string, unknown>;
      };
      for (const [k, v] of Object.entries(data.downSince ?? {})) if (typeof v === 'number') this.map.set(k, v);
      for (const [k, v] of Object.entries(data.reported ?? {})) if (typeof v === 'number') this.reported.set(k, v);
      for (const [k, v] of Object.entries(data.findingIds ?? {})) if (typeof v === 'string') this.findingIds.set(k, v);
    } catch (e) {
      // A missing file is the first run; an unreadable one starts fresh (grace restarts, never a restart early).
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.map.clear();
    }
  }

  /** The first time this instance was seen down, recording `now` if it is new. */
  seenDown(id: string, now: number): number {
    const t = this.map.get(id);
    if (t !== undefined) return t;
    this.map.set(id, now);
    return now;
  }

  clear(id: string): void {
    this.map.delete(id);
  }

  /**
   * Whether a finding is due to be posted: not posted within `everyMs` (so a lasting condition
   * is one finding per period, not one per pass). Records `now` when it is.
   */
  dueReport(key: string, now: number, everyMs: number): boolean {
    const t = this.reported.get(key);
    if (t !== undefined && now - t < everyMs) return false;
    this.reported.set(key, now);
    return true;
  }

  /** Remembers the hub's id of a posted finding; `findingId` reads it back in later passes. */
  noteFinding(key: string, id: string): void {
    this.findingIds.set(key, id);
  }

  findingId(key: string): string | undefined {
    return this.findingIds.get(key);
  }

  /** Keeps only instances still listed. */
  retain(ids: ReadonlySet<string>): void {
    for (const k of [...this.map.keys()]) if (!ids.has(k)) this.map.delete(k);
    for (const m of [this.reported, this.findingIds])
      for (const k of [...m.keys()]) if (!ids.has(k.split(':')[0])) m.delete(k);
  }

  save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(
      tmp,
      `${JSON.stringify(
        {
          downSince: Object.fromEntries(this.map),
          reported: Object.fromEntries(this.reported),
          findingIds: Object.fromEntries(this.findingIds),
        },
        null,
        2,
      )}\n`,
    );
    renameSync(tmp, this.file);
  }
}
