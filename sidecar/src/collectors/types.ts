import type { ConversationMessage, LogLine, MetricSample } from '@deepsignal/protocol';
import type { SidecarConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { GatewayLike } from '../openclaw/types.js';
import type { SidecarState } from '../state.js';

/** An event as collectors raise it; the sidecar stamps the time. [SPEC 5.6] */
export interface RaisedEvent {
  type: string;
  severity?: 'info' | 'warn' | 'error';
  message?: string;
  data?: Record<string, unknown>;
}

/** Where collectors put what they find; the sidecar batches it into messages. */
export interface Emitter {
  /**
   * Queues log lines for the next batch. `onDurable` runs once all of them are written to the
   * outbox (not if that write fails), so a follower can advance its saved position only then.
   */
  logLines(lines: LogLine[], onDurable?: () => void): void;
  conversations(messages: ConversationMessage[]): void;
  event(e: RaisedEvent): void;
}

/** What a collector gets: settings, output, the shared gateway client and the sidecar state. */
export interface CollectorContext {
  config: SidecarConfig;
  log: Logger;
  now: () => number;
  emit: Emitter;
  /** The gateway client shared by collectors and commands; null when running without OpenClaw. */
  gateway: GatewayLike | null;
  state: SidecarState;
}

/**
 * One collector. `sample` adds fields to the per-second metric sample; collectors that follow
 * streams (logs, conversations, gateway state) do their work between `start` and `stop`.
 * A collector that throws is reported as `collector.error` and the others go on.
 */
export interface Collector {
  readonly name: string;
  sample?(now: number): Partial<MetricSample> | Promise<Partial<MetricSample>>;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** A registry entry: `create` validates and does no I/O. */
export interface CollectorFactory {
  name: string;
  create(ctx: CollectorContext): Collector;
}
