import type { MetricSample } from '@deepsignal/protocol';
import type { AckEntry } from '../commit.js';

/** What the metrics writer thread is started with. */
export interface ThreadSettings {
  databaseUrl: string;
  dbSchema: string;
}

/**
 * A batch of validated `metrics` payloads, as they came off the wire: one buffer (transferred,
 * not copied) and each payload's length. The thread parses them again: cloning parsed objects
 * across threads costs about as much as parsing, and this way it happens off the broker's thread.
 */
export interface BatchToThread {
  type: 'batch';
  id: number;
  instanceIds: string[];
  lengths: Uint32Array;
  bytes: Uint8Array;
}

/** Main thread -> writer thread. */
export type ToThread = BatchToThread | { type: 'stop' };

/** One committed transaction (a batch, or a part of one split around a refused message). */
export interface CommittedPart {
  seconds: number;
  messages: number;
  duplicates: number;
  gaps: number;
  values: number;
  acks: [instanceId: string, entries: AckEntry[]][];
  latest: [instanceId: string, sample: MetricSample][];
  oldest: [instanceId: string, t: number][];
}

/** A message the database (or the thread's parser) refused: dropped, never acked. */
export interface RefusedMessage {
  instanceId: string;
  seq: number;
  error: string;
}

/** Writer thread -> main thread. */
export type FromThread =
  | { type: 'ready' }
  /** The batch is done: every part committed, the refused messages dropped. */
  | { type: 'done'; id: number; parts: CommittedPart[]; refused: RefusedMessage[] }
  /** A commit failed; with `retrying` the database is away and the same batch is tried again. */
  | { type: 'failed'; error: string; batch: number; retrying: boolean };
