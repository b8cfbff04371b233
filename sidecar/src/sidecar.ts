import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import {
  type ConversationMessage,
  encodeMessage,
  eventSchema,
  type InstanceEvent,
  keyIdOf,
  LIMITS,
  type LogLine,
  type MetricSample,
  PROTOCOL_VERSION,
  parseMessage,
  topicFor,
} from '@deepsignal/protocol';
import { Batch } from './batcher.js';
import { settleUpdate } from './changes/bundle-trial.js';
import { turnsOf } from './changes/turns.js';
import { COLLECTORS } from './collectors/registry.js';
import type { Collector, CollectorContext, CollectorFactory, Emitter, RaisedEvent } from './collectors/types.js';
import { CommandDispatcher, type ResultBody } from './commands/dispatcher.js';
import { CommandJournal } from './commands/journal.js';
import { HANDLERS } from './commands/registry.js';
import type { CommandHandler } from './commands/types.js';
import { parseConfig, type SidecarConfig, type SidecarConfigInput } from './config.js';
import type { ConsoleSpawn } from './console/manager.js';
import { RemoteOps } from './console/remote.js';
import { errorMessage } from './errors.js';
import { type Logger, stderrLogger } from './log.js';
import { MqttLink } from './mqtt/link.js';
import { createGatewayClient } from './openclaw/create.js';
import type { GatewayLike } from './openclaw/types.js';
import { newBootId, Outbox, type OutboxNotice, type OutboxStream, Sender, Stamper } from './outbox/index.js';
import { SidecarState } from './state.js';
import { SIDECAR_VERSION } from './version.js';

/** Programmatic options beyond the settings: what a simulation or a test replaces. */
export interface SidecarOptions {
  /** Replaces the collector set (default: the registry). */
  collectors?: readonly CollectorFactory[];
  /** Replaces the OpenClaw client; `null` runs without one (default: the WebSocket client). */
  gateway?: GatewayLike | null;
  /** Replaces or extends command handlers (default: the registry). */
  handlers?: Readonly<Record<string, CommandHandler>>;
  log?: Logger;
  hostname?: string;
  now?: () => number;
  /** MQTT reconnect backoff bounds (tests shorten them). */
  backoffMs?: { min: number; max: number };
  /** Re-send unacknowledged messages after this long (default 60 s). */
  ackTimeoutMs?: number;
  /** Ack marks are written to disk at most this often (default 1 s); see `Outbox.flushAcks`. */
  ackFlushMs?: number;
  /** Where and as whom console shells run (default: this user, in $HOME). */
  consoleSpawn?: ConsoleSpawn;
}

/** A running sidecar. */
export interface Sidecar {
  readonly config: SidecarConfig;
  readonly bootId: string;
  readonly outbox: Outbox;
  readonly link: MqttLink;
  readonly gateway: GatewayLike | null;
  readonly state: SidecarState;
  readonly log: Logger;
  /** Moves everything batched into the outbox now (normally done by timers). */
  flush(): void;
  /** Counters of every part. */
  stats(): Record<string, unknown>;
  /** Flushes, publishes `offline`, closes the link and the outbox. */
  stop(): Promise<void>;
}

const ACK_TOPIC_KIND = 'ack';

/** Starts a sidecar: outbox, MQTT link, collectors, sampler and command dispatcher. */
export async function startSidecar(input: SidecarConfigInput, options: SidecarOptions = {}): Promise<Sidecar> {
  const config = parseConfig(input);
  const now = options.now ?? Date.now;
  const log = options.log ?? stderrLogger(config.logLevel, config.instanceId);
  const startedAt = now();
  const bootId = newBootId();
  const stamper = new Stamper(config.instanceId, bootId, now);
  const state = new SidecarState(config.stateDir);
  const journal = new CommandJournal(path.join(config.stateDir, 'commands'), now());
  const deferredNotices: OutboxNotice[] = [];
  const outbox = new Outbox({
    dir: path.join(config.stateDir, 'outbox'),
    maxBytes: config.outboxMaxMb * 1024 * 1024,
    onNotice: (n) => deferredNotices.push(n),
  });
  outbox.currentBoot = bootId;
  const counters = { collectorErrors: 0, badMessages: 0, acks: 0 };

  // ----- output: batches → outbox → sender → link -----
  let link!: MqttLink;
  const sender = new Sender(outbox, {
    publish: (stream, payload) => link.publish(topicFor(config.instanceId, stream as OutboxStream), payload),
    window: config.inflight,
    replayRate: config.replayRate,
    ackTimeoutMs: options.ackTimeoutMs,
    onError: (e) => log('error', `outbox read failed: ${errorMessage(e)}`),
  });
  const enqueue = (stream: OutboxStream, body: Record<string, unknown>): boolean => {
    const msg = stamper.stamp(stream, body);
    try {
      // null: dropped for a full disk; the outbox counts it and reports the count later.
      outbox.append(stream, msg);
    } catch (e) {
      log('error', `outbox append failed (${stream}): ${errorMessage(e)}`);
      // A command's state must reach the hub even when it cannot be kept on disk (e.g. a
      // rejection because the journal could not be written): sent once, without a replay.
      if (stream === 'cmd-result' && link)
        void link
          .publish(topicFor(config.instanceId, stream), Buffer.from(JSON.stringify(msg)))
          .catch((err) => log('warn', `cmd-result not sent: ${errorMessage(err)}`));
      return false;
    }
    sender.notify();
    return true;
  };
  /** Callbacks of log lines now in the `logs` batch, run once the batch is in the outbox. */
  let logsDurable: (() => void)[] = [];
  const samples = new Batch<MetricSample>(LIMITS.maxMetricSamples, () => flushStream('metrics'));
  const lines = new Batch<LogLine>(LIMITS.maxLogLines, () => flushStream('logs'));
  const convs = new Batch<ConversationMessage>(LIMITS.maxConversationMessages, () => flushStream('conversations'));
  const events = new Batch<InstanceEvent>(LIMITS.maxEvents, () => flushStream('events'));
  const batches = {
    metrics: [samples, 'samples'],
    logs: [lines, 'lines'],
    conversations: [convs, 'messages'],
    events: [events, 'events'],
  } as const;
  function flushStream(stream: keyof typeof batches): void {
    const [batch, field] = batches[stream];
    let ok = true;
    for (const chunk of (batch as Batch<unknown>).drain()) ok = enqueue(stream, { [field]: chunk }) && ok;
    if (stream !== 'logs' || logsDurable.length === 0) return;
    const done = logsDurable;
    logsDurable = [];
    // A failed append keeps those positions unsaved; a later success may still move past them.
    if (!ok) return;
    for (const cb of done) {
      try {
        cb();
      } catch (e) {
        log('warn', `logs: cannot save the file position: ${errorMessage(e)}`);
      }
    }
  }
  function flushAll(): void {
    while (deferredNotices.length) noticeToEvent(deferredNotices.shift()!);
    for (const s of Object.keys(batches) as (keyof typeof batches)[]) flushStream(s);
  }
  function raise(e: RaisedEvent): void {
    const r = eventSchema.safeParse({
      t: now(),
      severity: 'info',
      ...e,
      message: (e.message ?? '').slice(0, LIMITS.maxEventMessage),
    });
    if (r.success) events.add(r.data);
    else log('warn', `dropped an invalid event ${e.type}`);
  }
  function noticeToEvent(n: OutboxNotice): void {
    if (n.type === 'dropped') {
      const why = n.reason === 'disk_full' ? 'the disk is full' : 'at the outbox cap';
      log('warn', `outbox: dropped ${n.records} ${n.stream} messages (${n.bytes} bytes): ${why}`);
      raise({
        type: 'outbox.dropped',
        severity: 'warn',
        message: `dropped ${n.records} ${n.stream} messages: ${why}`,
        data: { ...n },
      });
    } else if (n.type === 'corrupt') {
      log('error', `outbox segment ${n.segment} corrupt at ${n.offset}: ${n.why}; skipped`);
      raise({
        type: 'outbox.corrupt',
        severity: 'error',
        message: `corrupt outbox segment skipped: ${n.why}`,
        data: { ...n, segment: path.basename(n.segment) },
      });
    } else
      log('info', `outbox segment ${n.segment} ended in a torn record at ${n.offset} (crash during a write); ignored`);
  }
  const emit: Emitter = {
    logLines: (ls, onDurable) => {
      for (const l of ls) lines.add(l);
      if (onDurable) logsDurable.push(onDurable);
    },
    conversations: (ms) => {
      for (const m of ms) convs.add(m);
      // Durable at once: the collector advances its cursor only after this returns.
      flushStream('conversations');
    },
    event: raise,
  };

  // ----- gateway and collectors -----
  const gateway = options.gateway === undefined ? createGatewayClient(config, log) : options.gateway;
  const ctx: CollectorContext = { config, log, now, emit, gateway, state };
  const collectors: Collector[] = [];
  for (const f of options.collectors ?? COLLECTORS) {
    try {
      collectors.push(f.create(ctx));
    } catch (e) {
      counters.collectorErrors++;
      raise({
        type: 'collector.error',
        severity: 'error',
        message: `${f.name}: ${errorMessage(e)}`,
        data: { collector: f.name },
      });
    }
  }
  const failing = new Map<string, string>();
  function collectorFailed(name: string, e: unknown): void {
    counters.collectorErrors++;
    const msg = errorMessage(e);
    if (failing.get(name) === msg) return; // report a change, not every second
    failing.set(name, msg);
    log('warn', `collector ${name}: ${msg}`);
    raise({ type: 'collector.error', severity: 'warn', message: `${name}: ${msg}`, data: { collector: name } });
  }
  function collectorOk(name: string): void {
    if (!failing.has(name)) return;
    failing.delete(name);
    raise({ type: 'collector.recovered', message: `${name} recovered`, data: { collector: name } });
  }

  let sampling = false;
  async function sampleOnce(): Promise<void> {
    if (sampling) return; // a slow collector must not pile up ticks
    sampling = true;
    const t = now();
    const sample: Record<string, unknown> = { t };
    try {
      await Promise.all(
        collectors
          .filter((c) => c.sample)
          .map(async (c) => {
            try {
              Object.assign(sample, await c.sample!(t));
              collectorOk(c.name);
            } catch (e) {
              const partial = (e as { partial?: Record<string, unknown> })?.partial;
              if (partial) Object.assign(sample, partial);
              collectorFailed(c.name, e);
            }
          }),
      );
      samples.add(sample as MetricSample);
    } finally {
      sampling = false;
    }
  }

  // ----- commands -----
  const remote = new RemoteOps(
    config,
    () => (link?.connected ? (topic, payload) => link.publish(topic, payload) : null),
    () => link.kill(),
    log,
    now,
    options.consoleSpawn,
  );
  const dispatcher = new CommandDispatcher({
    instanceId: config.instanceId,
    publicKeys: () => remote.trust.keys(),
    journal,
    handlers: options.handlers ?? HANDLERS,
    report: (body: ResultBody) => enqueue('cmd-result', { ...body }),
    context: () => ({ gateway, config, state, emit, log, now, startedAt, remote }),
    now,
    log,
  });

  // ----- MQTT -----
  let statusSeq = 0;
  const status = (state: 'online' | 'offline', reason?: string, seq = ++statusSeq) =>
    encodeMessage({
      v: PROTOCOL_VERSION,
      id: `${bootId}-status-${seq}`,
      instanceId: config.instanceId,
      bootId,
      seq,
      ts: now(),
      state,
      reason,
    });
  const hostName = options.hostname ?? osHostname();
  function hello(): Buffer {
    return encodeMessage(
      stamper.stamp('hello', {
        sidecarVersion: SIDECAR_VERSION,
        protocolVersion: PROTOCOL_VERSION,
        openclawVersion: gateway?.hello?.version ?? null,
        capabilities: [...Object.keys(options.handlers ?? HANDLERS), ...collectors.map((c) => `collector:${c.name}`)],
        hostname: hostName.slice(0, 200),
        platform: `${process.platform}-${process.arch}`,
        nodeVersion: process.version,
        hubKeyId: keyIdOf(config.hubKey),
      }),
    );
  }
  /** A `sidecar.update` is settled once per process, after the first status is out. */
  let updateSettled = false;
  const settleOnce = () => {
    if (updateSettled) return;
    updateSettled = true;
    settleUpdate({ config, report: (body) => enqueue('cmd-result', { ...body }), emit, log, now, startedAt });
  };
  let ackFlushTimer: NodeJS.Timeout | undefined;
  function flushAckMarks(): void {
    clearTimeout(ackFlushTimer);
    ackFlushTimer = undefined;
    try {
      outbox.flushAcks();
    } catch (e) {
      log('error', `cannot persist acks: ${errorMessage(e)}`);
    }
  }
  function onMessage(topic: string, payload: Buffer): void {
    if (topic.endsWith('/cmd')) {
      dispatcher.handle(payload);
      return;
    }
    if (remote.handle(topic, payload)) return;
    const m = parseMessage(topic, payload, 'hub->sidecar');
    if (!m.ok) {
      counters.badMessages++;
      log('warn', `refused message on ${topic}: ${m.error.reason} ${m.error.detail}`);
      return;
    }
    if (m.value.kind === ACK_TOPIC_KIND) {
      counters.acks++;
      for (const a of m.value.message.acks) outbox.ack(a.bootId, a.stream, a.seq);
      // One write of the ack marks per interval, not per ack message (BENCHMARKS.md, cpu).
      ackFlushTimer ??= setTimeout(flushAckMarks, options.ackFlushMs ?? 1000);
      sender.notify();
    }
  }
  link = new MqttLink({
    url: config.hub,
    instanceId: config.instanceId,
    // Read at every connect: credentials.rotate saves a new one. [SPEC 6.6]
    get secret() {
      return remote.secret.get();
    },
    caFile: config.caFile,
    will: status('offline', 'connection lost', 0),
    log,
    minBackoffMs: options.backoffMs?.min,
    maxBackoffMs: options.backoffMs?.max,
    keepaliveSec: config.keepaliveSec,
    firstConnectMaxBackoffMs: config.firstConnectRetryMaxMs || undefined,
    onConnect: () => {
      const topicStatus = topicFor(config.instanceId, 'status');
      link
        .publish(topicStatus, status('online'), true)
        .then(settleOnce)
        .catch(() => {});
      link.publish(topicFor(config.instanceId, 'hello'), hello()).catch(() => {});
      sender.onConnect();
    },
    onDisconnect: () => {
      log('warn', 'disconnected from the hub; messages stay in the outbox');
      sender.onDisconnect();
    },
    onMessage,
  });

  raise({
    type: 'sidecar.started',
    message: `sidecar ${SIDECAR_VERSION} started`,
    data: { bootId, held: outbox.size() },
  });
  link.start();
  // Turns in flight are followed from the start, so a drain knows of a turn begun before it.
  if (gateway) turnsOf(gateway);
  gateway?.start();
  for (const c of collectors) {
    try {
      await c.start?.();
    } catch (e) {
      collectorFailed(c.name, e);
    }
  }
  const timers = [
    setInterval(() => void sampleOnce(), config.sampleIntervalMs),
    setInterval(() => {
      flushStream('metrics');
      flushStream('logs');
      flushStream('conversations');
    }, config.batchIntervalMs),
    setInterval(
      () => {
        while (deferredNotices.length) noticeToEvent(deferredNotices.shift()!);
        flushStream('events');
      },
      Math.min(1000, config.batchIntervalMs),
    ),
  ];
  void sampleOnce();

  let stopped = false;
  return {
    config,
    bootId,
    outbox,
    link,
    gateway,
    state,
    log,
    flush: flushAll,
    stats: () => ({
      ...counters,
      outbox: { ...outbox.counters, held: outbox.size(), bytes: outbox.totalBytes() },
      sender: { ...sender.counters },
      link: { ...link.counters, connected: link.connected },
      commands: { ...dispatcher.counters, active: dispatcher.active },
    }),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      dispatcher.abortAll();
      remote.stop();
      for (const c of collectors) {
        try {
          await c.stop?.();
        } catch {}
      }
      await gateway?.stop().catch(() => {});
      flushAll();
      // Give what is already in flight a moment; everything else stays in the outbox.
      await new Promise((r) => setTimeout(r, 50));
      sender.stop();
      await link.stop(status('offline', 'sidecar stopped'));
      flushAckMarks();
      outbox.close();
    },
  };
}
