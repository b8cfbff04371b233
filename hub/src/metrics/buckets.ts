/**
 * Histogram bucket edges in seconds, chosen around what BENCHMARKS.md measured so the quantiles
 * that matter fall between two close edges instead of inside one wide bucket.
 */
export const BUCKETS = {
  /**
   * One ingest batch's database transaction. Idle hubs commit in a few ms; under the ingest
   * benchmark the end-to-end ack is ~135 ms p50 / ~250 ms p99; at 6,000 instances p99 commit is
   * ~950 ms; the fleet goal is p99 < 2 s.
   */
  ingestCommit: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  /**
   * Handling of one inbound MQTT message in the hub's thread (parse, validate, route, queue): tens
   * of microseconds for a 5-sample batch (the hub's own code is under a fifth of a process
   * moving ~4,000 msg/s), up to milliseconds for 60-sample outbox replays.
   */
  mqttMessage: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
  /** API requests: chart and fleet-list p95 are 14-17 ms, the goal is 100 ms; logins hash a password. */
  httpRequest: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  /**
   * Command issued -> final state reported by the sidecar: a loopback ping is ~14 ms p50 / ~32 ms
   * p99 (goal 50 ms); restarts, updates and backups take seconds to minutes (default expiry 300 s).
   */
  commandRoundTrip: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
} as const;
