import { Registry } from './util/prom.js';

/** The hub's own figures, exposed on GET /metrics. One instance per hub. */
export class HubStats {
  readonly registry = new Registry();
  readonly ingested = this.registry.counter('ds_ingest_messages_total', 'Valid messages accepted, by kind');
  readonly values = this.registry.counter('ds_ingest_metric_values_total', 'Metric values committed');
  readonly committed = this.registry.counter('ds_ingest_committed_total', 'Messages committed, by stream');
  readonly rejects = this.registry.counter('ds_ingest_rejects_total', 'Messages refused, by reason');
  readonly duplicates = this.registry.counter('ds_ingest_duplicates_total', 'Duplicate messages (acked, not stored)');
  readonly gaps = this.registry.counter('ds_ingest_gaps_total', 'Sequence ranges a sidecar dropped');
  readonly queueDepth = this.registry.gauge('ds_ingest_queue_depth', 'Messages waiting for the database');
  readonly commitSum = this.registry.counter('ds_ingest_commit_seconds_sum', 'Total time spent in commits');
  readonly commitCount = this.registry.counter('ds_ingest_commit_seconds_count', 'Number of commits');
  readonly commitLast = this.registry.gauge('ds_ingest_commit_seconds_last', 'Latency of the last commit');
  readonly commitFailures = this.registry.counter('ds_ingest_commit_failures_total', 'Failed commits (nothing acked)');
  readonly acks = this.registry.counter('ds_ingest_acks_published_total', 'Ack messages published');
  readonly sidecars = this.registry.gauge('ds_mqtt_connected_sidecars', 'Sidecars connected to the broker');
  readonly authFailures = this.registry.counter('ds_mqtt_auth_failures_total', 'Refused MQTT logins, by reason');
  readonly aclDenied = this.registry.counter('ds_mqtt_acl_denied_total', 'Refused publishes/subscribes');
  readonly sockets = this.registry.gauge('ds_live_sockets', 'Connected live-stream sockets');
  readonly liveDropped = this.registry.counter(
    'ds_live_frames_dropped_total',
    'Droppable live frames (metrics) not sent to a socket that had fallen behind',
  );
  readonly commands = this.registry.counter('ds_commands_total', 'Command state changes, by status');

  /** Records one commit's latency in seconds. */
  commit(seconds: number): void {
    this.commitSum.inc({}, seconds);
    this.commitCount.inc();
    this.commitLast.set({}, seconds);
  }
}
