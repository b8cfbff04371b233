/**
 * The Deep Signal sidecar as a library: `startSidecar(config, options)` runs one sidecar; many
 * can run in one process (fleet simulations) with their own collectors and gateway stand-ins.
 */
export { Batch } from './batcher.js';
export { COLLECTORS } from './collectors/registry.js';
export type { Collector, CollectorContext, CollectorFactory, Emitter, RaisedEvent } from './collectors/types.js';
export { CommandDispatcher, type ResultBody } from './commands/dispatcher.js';
export { CommandJournal } from './commands/journal.js';
export { HANDLERS } from './commands/registry.js';
export { type CommandContext, CommandFailure, type CommandHandler } from './commands/types.js';
export {
  ConfigError,
  configSchema,
  loadConfig,
  parseConfig,
  SETTINGS,
  type SidecarConfig,
  type SidecarConfigInput,
  settingsHelp,
} from './config.js';
export { SIDECAR_ERR } from './errors.js';
export { type Logger, silentLogger, stderrLogger } from './log.js';
export { GatewayClient, GatewayRpcError } from './openclaw/gateway-client.js';
export { redactObject, redactText } from './openclaw/redact.js';
export type { GatewayHello, GatewayLike } from './openclaw/types.js';
export { Outbox, type OutboxNotice, Sender, Stamper } from './outbox/index.js';
export { type Sidecar, type SidecarOptions, startSidecar } from './sidecar.js';
export { SidecarState } from './state.js';
export { SIDECAR_VERSION } from './version.js';
