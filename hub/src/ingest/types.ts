import type { AckedStream, MessageOf } from '@deepsignal/protocol';
import type { Querier } from '../db/index.js';

/** One sequenced message of an acked stream waiting for the database. [SPEC 4] */
export interface Sequenced<K extends AckedStream = AckedStream> {
  stream: K;
  instanceId: string;
  bootId: string;
  seq: number;
  base?: number;
  message: MessageOf<K>;
}

/**
 * Writes the new (not duplicate) messages of one stream inside the batch transaction and returns
 * what to do once it is committed (live events, snapshot updates): never before the commit.
 */
export interface StreamWriter<K extends AckedStream = AckedStream> {
  write(q: Querier, items: Sequenced<K>[]): Promise<(() => void) | undefined>;
}

export type StreamWriters = { [K in AckedStream]: StreamWriter<K> };
