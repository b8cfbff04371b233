import { Counter, Gauge, Histogram, type LabelValues, type Metric, Registry } from 'prom-client';
import { BUCKETS } from './metrics/buckets.js';
import { processRegistry } from './metrics/process.js';
import { type SeriesValue, SnapshotGauge } from './metrics/snapshot-gauge.js';

export { BUCKETS };

type Collector = () => void | Promise<void>;

/**
 * The hub's own figures, exposed on GET /metrics with prom-client. One instance (one registry)
 * per hub, so several hubs in one process never share or clash; the process and runtime figures
 * come from a registry shared by the process (metrics/process.ts).
 *
 * This is the one place a hub metric is declared: features add theirs with `counter`, `gauge` or
 * `histogram` (names start with `ds_`, counters end in `_total`, labels are bounded sets, never a
 * raw URL, id or free text unless the series is meant to be per instance) and refresh gauges from
 * memory right before a scrape with `onCollect`.
 */
export class HubStats {
  readonly registry = new Registry();
  private readonly collectors: Collector[] = [];
  /** Started with the hub, so GC and event-loop figures cover the time before the first scrape. */
  private readonly runtime = processRegistry();

  readonly ingested = this.counter('ds_ingest_messages_total', 'Valid messages accepted, by kind', ['kind']);
  readonly values = this.counter('ds_ingest_metric_values_total', 'Metric values committed');
  readonly committed = this.counter('ds_ingest_committed_total', 'Messages committed, by stream', ['stream']);
  readonly rejects = this.counter('ds_ingest_rejects_total', 'Messages refused, by reason', ['reason']);
  readonly brandRefusals = this.counter(
    'ds_brand_refusals_total',
    'Partner brand and domain changes refused (contrast, image, domain, verification), by reason',
    ['reason'],
  );
  readonly duplicates = this.counter('ds_ingest_duplicates_total', 'Duplicate messages (acked, not stored)');
  readonly gaps = this.counter('ds_ingest_gaps_total', 'Sequence ranges a sidecar dropped');
  readonly queueDepth = this.gauge('ds_ingest_queue_depth', 'Messages waiting for the database');
  readonly commitSeconds = this.histogram(
    'ds_ingest_commit_seconds',
    'Duration of one ingest batch transaction',
    BUCKETS.ingestCommit,
  );
  readonly commitLast = this.gauge('ds_ingest_commit_seconds_last', 'Latency of the last commit');
  readonly commitFailures = this.counter('ds_ingest_commit_failures_total', 'Failed commits (nothing acked)');
  readonly acks = this.counter('ds_ingest_acks_published_total', 'Ack messages published');
  readonly mqttHandling = this.histogram(
    'ds_mqtt_message_handling_seconds',
    'Time the hub spends on one inbound MQTT message (parse, validate, route, queue), by kind',
    BUCKETS.mqttMessage,
    ['kind'],
  );
  readonly sidecars = this.gauge('ds_mqtt_connected_sidecars', 'Sidecars connected to the broker');
  readonly authFailures = this.counter('ds_mqtt_auth_failures_total', 'Refused MQTT logins, by reason', ['reason']);
  readonly aclDenied = this.counter('ds_mqtt_acl_denied_total', 'Refused publishes/subscribes', ['action']);
  readonly sockets = this.gauge('ds_live_sockets', 'Connected live-stream sockets');
  readonly liveDropped = this.counter(
    'ds_live_frames_dropped_total',
    'Droppable live frames (metrics) not sent to a socket that had fallen behind',
  );
  readonly commands = this.counter('ds_commands_total', 'Command state changes, by type and status', [
    'type',
    'status',
  ]);
  readonly commandsRefused = this.counter(
    'ds_commands_refused_total',
    'Commands refused before they were stored, because they could never be delivered (by type and reason)',
    ['type', 'reason'],
  );
  readonly commandRoundTrip = this.histogram(
    'ds_command_round_trip_seconds',
    'Command issued until the sidecar reported its final state, by type and final status',
    BUCKETS.commandRoundTrip,
    ['type', 'status'],
  );
  readonly httpRequests = this.histogram(
    'ds_http_request_duration_seconds',
    'HTTP request duration, by method, route template and status class',
    BUCKETS.httpRequest,
    ['method', 'route', 'status_class'],
  );

  /** Declares a counter; its name must end in `_total`. */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** Declares a gauge. */
  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /**
   * Declares a gauge whose series `read` returns at scrape time (after the onCollect callbacks):
   * for large families built from memory, such as one series per instance.
   */
  snapshotGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => SeriesValue<L>[],
  ): SnapshotGauge<L> {
    return new SnapshotGauge({ name, help, labelNames, registers: [this.registry] }, read);
  }

  /** Declares a histogram; pick buckets around what the benchmarks measure (metrics/buckets.ts). */
  histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly L[] = [],
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }

  /** Runs before each scrape, in order: refresh gauges from in-memory state here. */
  onCollect(fn: Collector): void {
    this.collectors.push(fn);
  }

  /** Records one commit's latency in seconds. */
  commit(seconds: number): void {
    this.commitSeconds.observe(seconds);
    this.commitLast.set(seconds);
  }

  /** The Prometheus text exposition: this hub's figures, then the process's. */
  async render(): Promise<string> {
    for (const c of this.collectors) await c();
    return Registry.merge([this.registry, this.runtime]).metrics();
  }

  /** The current value of one counter or gauge series (0 when it has none yet). */
  async value<L extends string>(metric: Counter<L> | Gauge<L>, labels: LabelValues<L> = {}): Promise<number> {
    const want = Object.entries(labels as Record<string, string | number>);
    const got = await (metric as Metric<L>).get();
    const row = got.values.find(
      (v) =>
        Object.keys(v.labels).length === want.length &&
        want.every(([k, x]) => String((v.labels as Record<string, unknown>)[k]) === String(x)),
    );
    return row?.value ?? 0;
  }
}

/** Content type of the Prometheus text format (0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
