import type { SignedCommand } from '@deepsignal/protocol';
import type { Emitter } from '../collectors/types.js';
import type { SidecarConfig } from '../config.js';
import type { RemoteOps } from '../console/remote.js';
import type { Logger } from '../log.js';
import type { GatewayLike } from '../openclaw/types.js';
import type { SidecarState } from '../state.js';

/** Progress of a running command, sent as a `running` cmd-result. [SPEC 6.4] */
export interface Progress {
  pct?: number;
  message?: string;
  /** A picture to show meanwhile: a PNG data URL (a pairing QR code), at most 24 KiB. */
  image?: string;
}

/** What a handler gets: validated params, an abort signal fired at the deadline, and the sidecar's parts. */
export interface CommandContext {
  command: SignedCommand;
  /** Params after the catalog's schema (defaults filled). [SPEC 6.2] */
  params: Record<string, unknown>;
  /** Aborted when the command's time is up (`expiresAt`) or the sidecar stops. */
  signal: AbortSignal;
  deadline: number;
  progress(p: Progress): void;
  gateway: GatewayLike | null;
  config: SidecarConfig;
  state: SidecarState;
  emit: Emitter;
  log: Logger;
  now: () => number;
  /** When this sidecar process started (ms). */
  startedAt: number;
  /** Consoles, transfers, trusted hub keys and the MQTT secret (absent in bare test setups). */
  remote?: RemoteOps;
}

/** A command handler: returns the result (checked against the catalog's result schema) or throws. */
export type CommandHandler = (ctx: CommandContext) => Promise<unknown>;

/** An error a handler throws to fail with a specific code. */
export class CommandFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** What was tried before it failed (a rolled-back change): sent as the failed report's result. */
    readonly result?: unknown,
  ) {
    super(message);
  }
}
