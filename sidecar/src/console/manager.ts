import { type ConsoleIn, channelTopic, encodeMessage, PROTOCOL_VERSION } from '@deepsignal/protocol';
import type { Logger } from '../log.js';
import { ConsoleSession, pickShell } from './session.js';

/** Most consoles open at once on one instance. */
export const MAX_CONSOLE_SESSIONS = 4;

/** How the console manager publishes frames (QoS 1 on the MQTT link). */
export type Publish = (topic: string, payload: Buffer) => Promise<void>;

/**
 * Where and as whom console shells run. Default: the sidecar's own user in $HOME. A simulation
 * confines its shells to the instance's folder and, when it runs as root, to an unprivileged user.
 */
export interface ConsoleSpawn {
  cwd?: string;
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Printed before the first prompt (e.g. what this shell is and where it runs). */
  banner?: string;
}

/** A console.open that cannot be served. */
export class ConsoleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The sidecar's terminals. A session exists only after a signed `console.open`; frames on
 * `console/<id>/in` for any other id are ignored. [SPEC 7.1]
 */
export class ConsoleManager {
  private readonly sessions = new Map<string, ConsoleSession>();
  readonly counters = { opened: 0, closed: 0, ignoredFrames: 0 };

  constructor(
    private readonly instanceId: string,
    private readonly publish: () => Publish | null,
    private readonly log: Logger,
    private readonly spawn: ConsoleSpawn = {},
  ) {}

  /** Opens a pty; the caller is the console.open handler. */
  async open(o: { sessionId: string; cols: number; rows: number; idleTimeoutSec: number }): Promise<ConsoleSession> {
    if (this.sessions.has(o.sessionId))
      throw new ConsoleError('CONSOLE_EXISTS', `session ${o.sessionId} is already open`);
    if (this.sessions.size >= MAX_CONSOLE_SESSIONS)
      throw new ConsoleError('CONSOLE_LIMIT', `at most ${MAX_CONSOLE_SESSIONS} console sessions at once`);
    // Loaded on first use: a sidecar that never opens a console never loads the native module.
    const pty = await import('@lydell/node-pty');
    const shell = pickShell();
    const topic = channelTopic(this.instanceId, 'console', o.sessionId, 'out');
    const send = (body: Record<string, unknown>) => {
      const pub = this.publish();
      if (!pub) return;
      pub(topic, encodeMessage({ v: PROTOCOL_VERSION, ...body })).catch((e) =>
        this.log('warn', `console ${o.sessionId}: publish failed: ${(e as Error).message}`),
      );
    };
    const sp = this.spawn;
    const proc = pty.spawn(shell, ['-l'], {
      name: 'xterm-256color',
      cols: o.cols,
      rows: o.rows,
      cwd: sp.cwd ?? process.env.HOME ?? '/',
      env: { ...(sp.env ?? process.env), TERM: 'xterm-256color' } as Record<string, string>,
      ...(sp.uid !== undefined ? { uid: sp.uid } : {}),
      ...(sp.gid !== undefined ? { gid: sp.gid } : {}),
    });
    const s = new ConsoleSession(
      o.sessionId,
      proc,
      shell,
      o.idleTimeoutSec * 1000,
      {
        output: (seq, data) => send({ type: 'output', seq, data }),
        exit: (code, reason) => send({ type: 'exit', code, ...(reason ? { reason } : {}) }),
      },
      () => {
        this.sessions.delete(o.sessionId);
        this.counters.closed++;
      },
    );
    this.sessions.set(o.sessionId, s);
    this.counters.opened++;
    if (sp.banner) s.say(`${sp.banner.replace(/\n/g, '\r\n')}\r\n`);
    this.log('info', `console ${o.sessionId} opened (${shell}, pid ${s.pid})`);
    return s;
  }

  /** Closes a session; false when there is none. */
  close(sessionId: string, reason: string): boolean {
    const s = this.sessions.get(sessionId);
    if (!s) return false;
    s.close(reason);
    return true;
  }

  /** A validated frame from the hub for a session. */
  frame(sessionId: string, f: ConsoleIn): void {
    const s = this.sessions.get(sessionId);
    if (!s) {
      this.counters.ignoredFrames++;
      return;
    }
    if (f.type === 'input') s.input(f.data);
    else if (f.type === 'resize') s.resize(f.cols, f.rows);
    else if (f.type === 'ack') s.ack(f.bytes);
    else s.close('closed by the hub');
  }

  get(sessionId: string): ConsoleSession | undefined {
    return this.sessions.get(sessionId);
  }

  closeAll(reason: string): void {
    for (const s of [...this.sessions.values()]) s.close(reason);
  }

  get size(): number {
    return this.sessions.size;
  }
}
