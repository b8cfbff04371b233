import type { z } from 'zod';
import type { ChannelKind, SimpleKind } from '../topics.js';

/** Who publishes a message kind. */
export type Direction = 'sidecar->hub' | 'hub->sidecar';

/**
 * The declaration of one message kind: adding a kind means one file with one of these and one
 * line in `registry.ts`. [SPEC 3.2]
 */
export interface MessageDef<S extends z.ZodType = z.ZodType> {
  /** Topic kind (the level after the instance id). */
  kind: SimpleKind | `${ChannelKind}/out` | `${ChannelKind}/in`;
  direction: Direction;
  /** MQTT QoS to publish with. */
  qos: 0 | 1;
  /** Published with the MQTT retain flag. */
  retain: boolean;
  /** Part of the end-to-end acknowledged stream: kept in the sidecar's outbox until acked. [SPEC 4] */
  acked: boolean;
  schema: S;
  description: string;
}

export function defineMessage<S extends z.ZodType>(def: MessageDef<S>): MessageDef<S> {
  return def;
}
