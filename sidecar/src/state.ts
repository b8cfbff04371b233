import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** What the sidecar remembers about OpenClaw across restarts. */
export interface PersistedState {
  /** Set by agent.pause, cleared by agent.resume; re-applied whenever the gateway comes back. */
  paused: boolean;
  /** Channels the pause stopped, to start again on resume. */
  pausedChannels: string[];
}

/** Small durable key-value state in `<stateDir>/state.json` (tmp + fsync + rename). */
export class SidecarState {
  private data: PersistedState = { paused: false, pausedChannels: [] };
  private readonly file: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'state.json');
    try {
      const j = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<PersistedState>;
      this.data = {
        paused: j.paused === true,
        pausedChannels: Array.isArray(j.pausedChannels) ? j.pausedChannels.filter((c) => typeof c === 'string') : [],
      };
    } catch {
      // first start, or unreadable: defaults
    }
  }

  get(): Readonly<PersistedState> {
    return this.data;
  }

  set(patch: Partial<PersistedState>): void {
    this.data = { ...this.data, ...patch };
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
