import type { CmdResultMessage } from '@deepsignal/protocol';
import type { Querier } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { LiveSink } from '../live/sink.js';
import type { HubStats } from '../stats.js';
import type { ClientEvents } from '../webhooks/client-events.js';

/** Applies sidecar command reports inside the ingest transaction (implemented by commands/). */
export interface CommandReports {
  apply(q: Querier, instanceId: string, reports: CmdResultMessage[]): Promise<(() => void) | undefined>;
}

/** Receives the time range of committed samples so rollups can be brought up to date. */
export interface RollupTracker {
  touched(instanceId: string, from: Date): void;
}

/** What the stream writers need from the rest of the hub. */
export interface IngestDeps {
  fleet: Fleet;
  live: () => LiveSink;
  /** The clients' event webhooks (`conversation.message`). */
  clientEvents: () => ClientEvents;
  stats: HubStats;
  rollups: RollupTracker;
  commands: CommandReports;
}
