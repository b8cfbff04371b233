import { getCommand, LIMITS, type SignedCommand, validateParams, verifyCommand } from '@deepsignal/protocol';
import { errorMessage, SIDECAR_ERR } from '../errors.js';
import type { CommandJournal } from './journal.js';
import { type CommandContext, CommandFailure, type CommandHandler, type Progress } from './types.js';

/** Commands whose progress is content (a reply's text, pairing QR codes): never written to the log. */
const CONTENT_PROGRESS = new Set(['chat.send', 'channel.login', 'console.open']);

/** A cmd-result body (the sidecar adds the envelope). [SPEC 6.4] */
export interface ResultBody {
  commandId: string;
  state: 'delivered' | 'running' | 'succeeded' | 'failed' | 'rejected' | 'timed_out';
  progress?: Progress;
  result?: unknown;
  error?: { code: string; message: string };
}

/** What the dispatcher needs from the sidecar. */
export interface DispatcherOptions {
  instanceId: string;
  /** Trusted hub public keys. */
  publicKeys: () => readonly string[];
  journal: CommandJournal;
  handlers: Readonly<Record<string, CommandHandler>>;
  report: (body: ResultBody) => void;
  /** Builds the handler context (everything but command, params, signal, deadline, progress). */
  context: () => Omit<CommandContext, 'command' | 'params' | 'signal' | 'deadline' | 'progress'>;
  now: () => number;
  log: (level: 'info' | 'warn', msg: string) => void;
}

const clip = (s: string, n = LIMITS.maxEventMessage) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The id of a command that cannot be parsed (too large, cut off), read from where the hub writes
 * it: right after `"v"` at the very start. Only there, so an `"id"` inside the params never counts.
 */
const LEADING_ID = /^\{\s*"v"\s*:\s*\d+\s*,\s*"id"\s*:\s*"([A-Za-z0-9._-]{1,64})"/;
export function leadingCommandId(payload: Buffer | string): string | undefined {
  const head = typeof payload === 'string' ? payload.slice(0, 256) : payload.subarray(0, 256).toString('utf8');
  return LEADING_ID.exec(head)?.[1];
}

/**
 * Receives commands from MQTT, verifies them, journals their ids, runs the handler with the
 * command's deadline, and reports delivered → running → succeeded | failed | timed_out,
 * or `rejected` with the first failing reason. [SPEC 6.3.2, 6.4]
 */
export class CommandDispatcher {
  private readonly running = new Map<string, AbortController>();
  /** Counters for status and tests. */
  readonly counters = { received: 0, rejected: 0, succeeded: 0, failed: 0, timedOut: 0, unreadable: 0 };

  constructor(private readonly opts: DispatcherOptions) {}

  /** Handles one `cmd` payload. Never throws. */
  handle(payload: Buffer | string): void {
    this.counters.received++;
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    let raw: unknown;
    try {
      if (size > LIMITS.maxMessageBytes)
        throw new Error(`${size} bytes, over the ${LIMITS.maxMessageBytes}-byte limit`);
      raw = JSON.parse(payload.toString());
    } catch (e) {
      this.counters.unreadable++;
      // A command nobody answers waits on the hub until it expires: when its id can still be
      // read, it is refused with the reason. Without an id there is nobody to answer.
      const commandId = leadingCommandId(payload);
      const why = e instanceof SyntaxError ? 'not valid JSON' : errorMessage(e);
      if (commandId) this.reject(commandId, 'malformed', `command payload is ${why}`);
      else this.opts.log('warn', `unreadable command payload (${size} bytes): ${why}`);
      return;
    }
    const v = verifyCommand(raw, {
      instanceId: this.opts.instanceId,
      publicKeys: this.opts.publicKeys(),
      now: this.opts.now(),
      seen: (id) => this.opts.journal.has(id),
    });
    if (!v.ok) {
      if (v.reason === 'replayed' && v.commandId && this.running.has(v.commandId)) {
        // A broker redelivery of a command still running: its own reports will follow.
        return;
      }
      this.reject(v.commandId, v.reason, v.message);
      return;
    }
    const cmd = v.command;
    // Journal before anything runs, rejected-after-signature ids too. [SPEC 6.3.2]
    try {
      this.opts.journal.add(cmd.id, cmd.expiresAt);
    } catch (e) {
      this.reject(cmd.id, 'malformed', `cannot journal the command: ${errorMessage(e)}`);
      return;
    }
    // Order: unknown_type, unsupported, bad_params. [SPEC 6.3.2]
    if (!getCommand(cmd.type)) {
      this.reject(cmd.id, 'unknown_type', `unknown command type: ${cmd.type.slice(0, 64)}`);
      return;
    }
    const handler = Object.hasOwn(this.opts.handlers, cmd.type) ? this.opts.handlers[cmd.type] : undefined;
    if (!handler) {
      this.reject(cmd.id, 'unsupported', `this sidecar does not run ${cmd.type}`);
      return;
    }
    const p = validateParams(cmd.type, cmd.params);
    if (!p.ok) {
      this.reject(cmd.id, p.code, p.message);
      return;
    }
    void this.run(cmd, p.params, handler);
  }

  private reject(commandId: string | undefined, code: string, message: string): void {
    this.counters.rejected++;
    this.opts.log('warn', `command ${commandId ?? '(no id)'} rejected: ${code}: ${message}`);
    if (!commandId) return;
    this.opts.report({ commandId, state: 'rejected', error: { code, message: clip(message) } });
  }

  private async run(cmd: SignedCommand, params: Record<string, unknown>, handler: CommandHandler): Promise<void> {
    const ac = new AbortController();
    this.running.set(cmd.id, ac);
    const report = this.opts.report;
    report({ commandId: cmd.id, state: 'delivered' });
    report({ commandId: cmd.id, state: 'running' });
    let finished = false;
    const wait = Math.max(0, cmd.expiresAt - this.opts.now());
    const timer = setTimeout(() => {
      if (finished) return;
      finished = true;
      this.counters.timedOut++;
      ac.abort(new CommandFailure(SIDECAR_ERR.COMMAND_TIMEOUT, 'command timed out'));
      report({
        commandId: cmd.id,
        state: 'timed_out',
        error: { code: SIDECAR_ERR.COMMAND_TIMEOUT, message: `no result within ${wait} ms` },
      });
    }, wait);
    const ctx: CommandContext = {
      ...this.opts.context(),
      command: cmd,
      params,
      signal: ac.signal,
      deadline: cmd.expiresAt,
      progress: (pr) => {
        if (finished) return;
        const message = pr.message === undefined ? undefined : clip(pr.message);
        // What a change went through (snapshot, checks, rollback) stays readable on the machine.
        if (message && !CONTENT_PROGRESS.has(cmd.type))
          this.opts.log('info', `command ${cmd.id} ${cmd.type}: ${message}`);
        report({ commandId: cmd.id, state: 'running', progress: { ...pr, message } });
      },
    };
    try {
      const result = await handler(ctx);
      if (finished) return;
      const def = getCommand(cmd.type);
      const checked = def ? def.result.safeParse(result) : { success: true as const, data: result };
      if (!checked.success)
        throw new CommandFailure(SIDECAR_ERR.BAD_RESULT, `handler result does not match the ${cmd.type} result schema`);
      finished = true;
      this.counters.succeeded++;
      this.opts.log('info', `command ${cmd.id} ${cmd.type} succeeded`);
      report({ commandId: cmd.id, state: 'succeeded', result: checked.data });
    } catch (e) {
      if (finished) return;
      finished = true;
      this.counters.failed++;
      const code =
        e instanceof CommandFailure
          ? e.code
          : (e as { code?: unknown })?.code && typeof (e as { code?: unknown }).code === 'string'
            ? String((e as { code: string }).code)
            : SIDECAR_ERR.COMMAND_FAILED;
      const detail = e instanceof CommandFailure && e.result !== undefined ? { result: e.result } : {};
      this.opts.log('warn', `command ${cmd.id} ${cmd.type} failed: ${code}: ${clip(errorMessage(e))}`);
      report({
        commandId: cmd.id,
        state: 'failed',
        error: { code: clip(code, 64), message: clip(errorMessage(e)) },
        ...detail,
      });
    } finally {
      clearTimeout(timer);
      this.running.delete(cmd.id);
    }
  }

  /** Aborts running commands (on shutdown). */
  abortAll(): void {
    for (const ac of this.running.values())
      ac.abort(new CommandFailure(SIDECAR_ERR.COMMAND_FAILED, 'sidecar is stopping'));
  }

  get active(): number {
    return this.running.size;
  }
}
