import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * When this agent first saw each instance's OpenClaw down. The hub keeps only the latest OpenClaw
 * state, not since when, so the grace period is measured from the agent's own observations; a
 * file keeps them across `--once` runs (e.g. from cron). Without a file it lives in memory.
 */
export class DownSinceStore {
  private readonly map = new Map<string, number>();

  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { downSince?: Record<string, unknown> };
      for (const [k, v] of Object.entries(data.downSince ?? {})) if (typeof v === 'number') this.map.set(k, v);
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

  /** Keeps only instances still listed. */
  retain(ids: ReadonlySet<string>): void {
    for (const k of [...this.map.keys()]) if (!ids.has(k)) this.map.delete(k);
  }

  save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ downSince: Object.fromEntries(this.map) }, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
