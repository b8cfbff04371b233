import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface TrustFile {
  /** Keys learned through hubkey.rotate, newest last. */
  added: string[];
  /** When each key stops being trusted (ms since epoch). */
  retireAt: Record<string, number>;
}

/** Writes a file atomically (temp + rename) with mode 0600. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * The hub keys this sidecar trusts: the configured one plus those learned through a signed
 * `hubkey.rotate`, each until its retirement time. Kept in `<stateDir>/hub-keys.json`. [SPEC 6.7]
 */
export class HubKeyTrust {
  private state: TrustFile = { added: [], retireAt: {} };
  private readonly file: string;

  constructor(
    stateDir: string,
    private readonly configured: string,
    private readonly now: () => number,
  ) {
    this.file = path.join(stateDir, 'hub-keys.json');
    if (existsSync(this.file)) {
      try {
        const s = JSON.parse(readFileSync(this.file, 'utf8')) as TrustFile;
        if (Array.isArray(s.added) && s.retireAt && typeof s.retireAt === 'object') this.state = s;
      } catch {
        // An unreadable file leaves the configured key only; the hub can rotate again.
      }
    }
  }

  /** Keys trusted now. */
  keys(): string[] {
    const t = this.now();
    return [this.configured, ...this.state.added].filter(
      (k, i, all) => all.indexOf(k) === i && !((this.state.retireAt[k] ?? Number.POSITIVE_INFINITY) <= t),
    );
  }

  /** Adds `next` and retires every other trusted key at `retireAt`. */
  rotate(next: string, retireAt: number): void {
    for (const k of this.keys()) if (k !== next) this.state.retireAt[k] = retireAt;
    if (!this.state.added.includes(next)) this.state.added.push(next);
    delete this.state.retireAt[next];
    writeFileAtomic(this.file, JSON.stringify(this.state));
  }
}

/** The instance's MQTT secret: the configured one until credentials.rotate saves a new one. [SPEC 6.6] */
export class SecretStore {
  private readonly file: string;
  private current: string;

  constructor(stateDir: string, configured: string) {
    this.file = path.join(stateDir, 'secret');
    this.current = configured;
    if (existsSync(this.file)) {
      const saved = readFileSync(this.file, 'utf8').trim();
      if (saved) this.current = saved;
    }
  }

  get(): string {
    return this.current;
  }

  /** Saves durably before it is used. */
  set(secret: string): void {
    writeFileAtomic(this.file, secret);
    this.current = secret;
  }
}
