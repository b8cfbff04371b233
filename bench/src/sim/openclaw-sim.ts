import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { GatewayHello, GatewayLike } from '../../../sidecar/src/openclaw/types.js';
import { hash32, rng } from './rng.js';

/** How busy a simulated OpenClaw is. Rates are per instance. */
export interface OpenclawSimOptions {
  /** Mean seconds between user messages (default 30). */
  meanChatIntervalSec?: number;
  /** Gateway log lines per second (default 0.5). */
  logLinesPerSec?: number;
  /** Probability per second of a gateway restart (default 0: none unless asked). */
  restartProbPerSec?: number;
  /** Seconds a restart keeps the gateway down (default 8, as the real one). */
  restartDownSec?: number;
  version?: string;
  /**
   * Where this instance writes its gateway log (`openclaw-YYYY-MM-DD.log`, JSON lines as the real
   * gateway writes them), so the sidecar's log collector follows this instance's own lines.
   * Unset: lines are only answered over `logs.tail`.
   */
  logDir?: string;
}

/**
 * Incidents a simulated gateway can be given (the agents' scenario suite): set and clear them at
 * any time; all off by default.
 */
export interface GatewayFaults {
  /** Crash this long after every start and stay down until `relaunch` (a service manager's restart). */
  crashAfterMs: number | null;
  /** Every reply fails with this provider error, written as an ERROR line (e.g. a revoked key's 401). */
  replyError: string | null;
  /** Channels `channels.status` reports disconnected, with this error, while the gateway is up. */
  deadChannels: Map<string, string>;
  /** Tokens of every reply are multiplied by this (a runaway loop). */
  tokenMultiplier: number;
  /** Seconds between user messages while set (floods the agent), instead of the usual rate. */
  floodIntervalSec: number | null;
}

/** A transcript line as OpenClaw writes it (see FACTS: transcript message line). */
export interface TranscriptLine {
  type: 'message';
  id: string;
  parentId: string | null;
  timestamp: string;
  message: {
    role: 'user' | 'assistant';
    content: { type: 'text'; text: string }[];
    provider?: string;
    model?: string;
    usage?: {
      input: number;
      output: number;
      cacheRead: number;
      cacheWrite: number;
      totalTokens: number;
      cost: { total: number };
    };
    stopReason?: string;
  };
  /** Simulation extras: the channel the user came from, the transcript seq and the run. */
  channel: string;
  seq: number;
  runId?: string;
}

/** A message as the real gateway's `chat.history` returns it (see sidecar fixtures/history.json). */
function historyMessage(l: TranscriptLine): Record<string, unknown> {
  const t = Date.parse(l.timestamp);
  return {
    ...l.message,
    timestamp: t,
    __openclaw: { id: l.id, seq: l.seq, recordTimestampMs: t, ...(l.runId ? { runId: l.runId } : {}) },
  };
}

const METHODS = [
  'health',
  'status',
  'system.info',
  'sessions.list',
  'chat.history',
  'chat.send',
  'usage.cost',
  'usage.status',
  'logs.tail',
  'config.get',
  'config.patch',
  'models.list',
  'agents.list',
  'gateway.restart.request',
  'channels.status',
  'channels.stop',
  'channels.start',
];
const CHANNELS = ['telegram', 'whatsapp', 'slack', 'webchat'];
const QUESTIONS = [
  'Can I book a table for four tonight?',
  'What are your opening hours on Sunday?',
  'Do you deliver to Kreuzberg?',
  'I need to change my appointment.',
  'Is the blue model still in stock?',
  'How much is shipping to Austria?',
];
const ANSWERS = [
  'Of course — I have booked it for you.',
  'We are open from 10:00 to 18:00.',
  'Yes, delivery takes about 45 minutes.',
  'Done, your appointment is moved.',
  'It is in stock, two left.',
  'Shipping to Austria costs 6.90 EUR.',
];
/** Routine lines by subsystem, as a busy gateway writes them. */
const ROUTINE: [string, string][] = [
  ['gateway/ws', 'client connected (operator)'],
  ['gateway/health', 'health check ok'],
  ['cron', 'cron: job ran (memory.compact)'],
  ['models', 'model catalogue refreshed'],
  ['agents', 'session pruned: idle for 30m'],
  ['gateway/channels/telegram', 'telegram: long poll renewed'],
  ['gateway/channels/whatsapp', 'whatsapp: keep-alive ok'],
  ['gateway/channels/slack', 'slack: socket mode ping'],
];
const WARNINGS: [string, string][] = [
  ['models', 'provider slow to answer (4.2 s), retrying stream'],
  ['gateway/channels/whatsapp', 'whatsapp: reconnecting after a dropped socket'],
  ['agents', 'tool call took longer than 10 s'],
];

/**
 * A simulated OpenClaw gateway behind the sidecar's `GatewayLike` seam: conversations with token
 * usage and cost (as `chat` events and `chat.history` transcripts), gateway log lines
 * (`logs.tail`), status, model changes, pause via `channels.stop`, and restarts (down ~8 s, then
 * up again). It advances only when `tick(now)` is called, so one timer can drive thousands.
 */
export class SimulatedGateway extends EventEmitter implements GatewayLike {
  private readonly r: () => number;
  private up = false;
  private started = false;
  private downUntil = 0;
  private readonly transcript = new Map<string, TranscriptLine[]>();
  private readonly logBuf: { cursor: number; line: string }[] = [];
  /** Lines not yet appended to the log file (written once per tick). */
  private logPending: string[] = [];
  private readonly seqs = new Map<string, number>();
  private logCursor = 0;
  private nextChatAt = 0;
  private pending: { at: number; sessionKey: string; channel: string; parentId: string; q: number; askedAt: number }[] =
    [];
  private msgN = 0;
  private model = 'anthropic/claude-sonnet-4-5';
  private channelsStopped = false;
  private costTotal = 0;
  private readonly bootAt: number;
  hello: GatewayHello | null = null;
  /** Counters for checks: what the simulation produced. */
  readonly produced = { userMessages: 0, assistantMessages: 0, logLines: 0, restarts: 0 };
  /** 0..1 while answering; the synthetic machine adds CPU for it. */
  busy = 0;
  readonly faults: GatewayFaults = {
    crashAfterMs: null,
    replyError: null,
    deadChannels: new Map(),
    tokenMultiplier: 1,
    floodIntervalSec: null,
  };
  private upAt = 0;

  constructor(
    readonly instanceId: string,
    private readonly o: OpenclawSimOptions = {},
    now = Date.now(),
  ) {
    super();
    this.r = rng(hash32(`oc:${instanceId}`));
    this.bootAt = now;
    this.nextChatAt = now + this.r() * (o.meanChatIntervalSec ?? 30) * 1000;
  }

  get connected(): boolean {
    return this.up;
  }

  start(): void {
    this.started = true;
    this.connect();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.up) {
      this.up = false;
      this.emit('down', 'stopped');
    }
  }

  waitUp(timeoutMs: number): Promise<GatewayHello> {
    if (this.up && this.hello) return Promise.resolve(this.hello);
    return new Promise((res, rej) => {
      const t = setTimeout(() => {
        this.off('up', on);
        rej(new Error('gateway not up'));
      }, timeoutMs);
      const on = (h: GatewayHello) => {
        clearTimeout(t);
        res(h);
      };
      this.once('up', on);
    });
  }

  private connect(): void {
    if (!this.started || this.up) return;
    this.up = true;
    this.upAt = Date.now();
    this.hello = { protocol: 4, version: this.o.version ?? '2026.9.6', methods: METHODS, raw: { type: 'hello-ok' } };
    this.log(
      Date.now(),
      'INFO',
      'gateway',
      `gateway ${this.hello.version} listening on ws://127.0.0.1:18789 (sim-${this.instanceId})`,
    );
    this.emit('up', this.hello);
  }

  /** Advances the simulation to `now`: new chats, replies, log lines, restarts. */
  tick(now: number): void {
    if (!this.started) return;
    if (!this.up) {
      if (now >= this.downUntil) this.connect();
      return;
    }
    if (this.faults.crashAfterMs !== null && now - this.upAt >= this.faults.crashAfterMs) {
      this.crash(now);
      return;
    }
    if ((this.o.restartProbPerSec ?? 0) > 0 && this.r() < (this.o.restartProbPerSec ?? 0)) {
      this.restart(now);
      return;
    }
    const perSec = this.o.logLinesPerSec ?? 0.5;
    let lines = Math.floor(perSec) + (this.r() < perSec % 1 ? 1 : 0);
    while (lines-- > 0) {
      const warn = this.r() < 0.03;
      const pool = warn ? WARNINGS : ROUTINE;
      const [sub, msg] = pool[Math.floor(this.r() * pool.length)];
      this.log(now, warn ? 'WARN' : 'INFO', sub, msg);
    }
    if (!this.channelsStopped && now >= this.nextChatAt) {
      this.userMessage(now);
      const mean = this.faults.floodIntervalSec ?? this.o.meanChatIntervalSec ?? 30;
      this.nextChatAt = now + (0.2 + this.r() * 1.6) * mean * 1000;
    }
    this.busy = this.pending.length > 0 ? 1 : 0;
    const due = this.pending.filter((p) => p.at <= now);
    this.pending = this.pending.filter((p) => p.at > now);
    for (const p of due) this.reply(now, p);
    this.flushLog(now);
  }

  /** Appends the pending lines to today's log file (one write per tick). */
  private flushLog(now: number): void {
    if (!this.o.logDir || this.logPending.length === 0) return;
    const file = path.join(this.o.logDir, `openclaw-${new Date(now).toISOString().slice(0, 10)}.log`);
    try {
      mkdirSync(this.o.logDir, { recursive: true });
      appendFileSync(file, `${this.logPending.join('\n')}\n`);
      this.logPending = [];
    } catch {
      // a full or removed temp dir loses simulated lines, nothing else
      this.logPending = [];
    }
  }

  private log(now: number, level: string, subsystem: string, msg: string): void {
    this.produced.logLines++;
    const name = JSON.stringify({ subsystem });
    const line = JSON.stringify({
      0: name,
      1: msg,
      _meta: { logLevelName: level, name },
      time: new Date(now).toISOString(),
      message: msg,
    });
    this.logBuf.push({ cursor: ++this.logCursor, line });
    if (this.o.logDir) this.logPending.push(line);
    if (this.logBuf.length > 2000) this.logBuf.splice(0, this.logBuf.length - 2000);
  }

  private userMessage(now: number): void {
    const channel = CHANNELS[Math.floor(this.r() * CHANNELS.length)];
    const sessionKey = `agent:main:${channel}:${Math.floor(this.r() * 5)}`;
    const q = Math.floor(this.r() * QUESTIONS.length);
    const line = this.push(sessionKey, channel, now, { role: 'user', content: [{ type: 'text', text: QUESTIONS[q] }] });
    this.produced.userMessages++;
    this.emit('event', 'chat', { sessionKey, state: 'user', message: line.message, id: line.id, channel });
    this.pending.push({ at: now + 1000 + this.r() * 5000, sessionKey, channel, parentId: line.id, q, askedAt: now });
    this.log(now, 'INFO', `gateway/channels/${channel}`, `inbound message on ${sessionKey}`);
  }

  private reply(now: number, p: (typeof this.pending)[number]): void {
    if (this.faults.replyError) {
      this.log(now, 'ERROR', 'agents/embedded', `run failed on ${p.sessionKey}: ${this.faults.replyError}`);
      return;
    }
    const input = (800 + Math.floor(this.r() * 4000)) * this.faults.tokenMultiplier;
    const output = (40 + Math.floor(this.r() * 400)) * this.faults.tokenMultiplier;
    const cost = Math.round((input * 3e-6 + output * 15e-6) * 1e6) / 1e6;
    this.costTotal += cost;
    const [provider, model] = this.model.split('/');
    const line = this.push(
      p.sessionKey,
      p.channel,
      now,
      {
        role: 'assistant',
        content: [{ type: 'text', text: ANSWERS[p.q] }],
        provider,
        model,
        usage: { input, output, cacheRead: 0, cacheWrite: 0, totalTokens: input + output, cost: { total: cost } },
        stopReason: 'stop',
      },
      p.parentId,
    );
    this.produced.assistantMessages++;
    const runId = `run-${line.id}`;
    line.runId = runId;
    this.log(now, 'INFO', 'agents', `run ${runId} done: ${input} in / ${output} out tokens`);
    this.emit('event', 'chat', {
      runId,
      sessionKey: p.sessionKey,
      state: 'delta',
      message: { role: 'assistant', content: [{ type: 'text', text: ANSWERS[p.q].slice(0, 8) }] },
    });
    this.emit('event', 'chat', {
      runId,
      sessionKey: p.sessionKey,
      state: 'final',
      id: line.id,
      channel: p.channel,
      message: line.message,
      usage: line.message.usage,
      latencyMs: now - p.askedAt,
    });
  }

  private push(
    sessionKey: string,
    channel: string,
    now: number,
    message: TranscriptLine['message'],
    parentId: string | null = null,
  ): TranscriptLine {
    const seq = (this.seqs.get(sessionKey) ?? 0) + 1;
    this.seqs.set(sessionKey, seq);
    const line: TranscriptLine = {
      type: 'message',
      id: `${this.instanceId}-m${++this.msgN}`,
      parentId,
      timestamp: new Date(now).toISOString(),
      message,
      channel,
      seq,
    };
    let list = this.transcript.get(sessionKey);
    if (!list) {
      list = [];
      this.transcript.set(sessionKey, list);
    }
    list.push(line);
    if (list.length > 200) list.splice(0, list.length - 200);
    return line;
  }

  /** Drops the connection for `restartDownSec` (like SIGUSR2 / gateway.restart.request). */
  restart(now = Date.now()): void {
    this.produced.restarts++;
    this.up = false;
    this.downUntil = now + (this.o.restartDownSec ?? 8) * 1000;
    this.emit('down', 'gateway restarting');
    this.log(now, 'INFO', 'gateway', 'restart requested');
  }

  /** Exits (a crash): down until `relaunch`, as a gateway whose service manager gave up. */
  crash(now = Date.now()): void {
    this.up = false;
    this.downUntil = Number.POSITIVE_INFINITY;
    this.emit('down', 'gateway exited');
    this.log(now, 'ERROR', 'gateway', 'gateway exited with code 1');
    this.flushLog(now);
  }

  /** Starts a stopped or crashed gateway again after `restartDownSec` (a service restart). */
  relaunch(now = Date.now()): void {
    this.produced.restarts++;
    if (this.up) this.restart(now);
    else this.downUntil = now + (this.o.restartDownSec ?? 8) * 1000;
  }

  /** Every message of the transcript (for checks that conversations arrived complete). */
  allMessages(): TranscriptLine[] {
    return [...this.transcript.values()].flat();
  }

  async request<T = unknown>(method: string, params: unknown = {}): Promise<T> {
    if (!this.up) throw new Error('gateway not connected');
    const p = (params ?? {}) as Record<string, unknown>;
    const now = Date.now();
    const out = ((): unknown => {
      switch (method) {
        case 'health':
          return { ok: true, status: 'live' };
        case 'status':
        case 'system.info':
          return {
            version: this.hello?.version,
            uptimeMs: now - this.bootAt,
            model: this.model,
            sessions: this.transcript.size,
            paused: this.channelsStopped,
          };
        case 'sessions.list': {
          const keys = [...this.transcript.keys()];
          return {
            count: keys.length,
            sessions: keys.slice(0, Number(p.limit ?? 200)).map((key) => {
              const last = this.transcript.get(key)!.at(-1);
              return { key, lastChannel: last?.channel, updatedAt: last ? Date.parse(last.timestamp) : null };
            }),
          };
        }
        case 'chat.history': {
          // The real shape: content, numeric timestamps and `__openclaw {id, seq, runId}` per message.
          const list = this.transcript.get(String(p.sessionKey)) ?? [];
          return { sessionKey: p.sessionKey, messages: list.slice(-Number(p.limit ?? 100)).map(historyMessage) };
        }
        case 'logs.tail': {
          const cursor = Number(p.cursor ?? 0);
          const lines = this.logBuf.filter((l) => l.cursor > cursor).slice(0, Number(p.limit ?? 500));
          return { cursor: lines.at(-1)?.cursor ?? Math.max(cursor, this.logCursor), lines: lines.map((l) => l.line) };
        }
        case 'usage.cost':
        case 'usage.status':
          return { totals: { totalCost: this.costTotal }, daily: [{ totalCost: this.costTotal }] };
        case 'config.get':
          return {
            hash: `h${this.model.length}`,
            config: { agents: { defaults: { model: { primary: this.model } } } },
          };
        case 'config.patch': {
          const m = /"primary"\s*:\s*"([^"]+)"/.exec(String(p.raw ?? ''));
          if (m) this.model = m[1];
          return { ok: true };
        }
        case 'models.list':
          return { models: [{ id: this.model }] };
        case 'agents.list':
          return { agents: [{ id: 'main' }] };
        case 'channels.status':
          // Keyed by channel, with the order beside it, as the real gateway answers.
          return {
            channelOrder: CHANNELS,
            channels: Object.fromEntries(
              CHANNELS.map((id) => {
                const dead = this.faults.deadChannels.get(id);
                return [id, { configured: true, running: !this.channelsStopped && !dead, lastError: dead ?? null }];
              }),
            ),
          };
        case 'channels.stop':
          this.channelsStopped = true;
          return { ok: true };
        case 'channels.start':
          this.channelsStopped = false;
          return { ok: true };
        case 'gateway.restart.request':
          setTimeout(() => this.restart(), 50);
          return { ok: true };
        case 'chat.send':
          this.nextChatAt = now;
          return { ok: true, runId: `run-${now}` };
        default:
          throw new Error(`unknown method ${method}`);
      }
    })();
    return out as T;
  }
}
