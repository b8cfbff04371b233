import { consoleInSchema, parseTopic } from '@deepsignal/protocol';
import type { SidecarConfig } from '../config.js';
import type { Logger } from '../log.js';
import { TransferManager } from '../transfer/channel.js';
import { ConsoleManager, type ConsoleSpawn, type Publish } from './manager.js';
import { HubKeyTrust, SecretStore } from './trust.js';

/**
 * What the sidecar does beyond plain commands: console sessions and file transfers on channel
 * topics, the trusted hub keys and the MQTT secret (both rotatable by signed commands).
 */
export class RemoteOps {
  readonly console: ConsoleManager;
  readonly transfer: TransferManager;
  readonly trust: HubKeyTrust;
  readonly secret: SecretStore;
  /** Frames on channel topics that were refused (bad JSON or schema). */
  readonly counters = { badFrames: 0 };
  /** Channel-frame handlers by kind; transfers register theirs. */
  private readonly extra = new Map<string, (channelId: string, payload: Buffer) => void>();

  constructor(
    readonly config: SidecarConfig,
    readonly publish: () => Publish | null,
    readonly reconnect: () => void,
    readonly log: Logger,
    now: () => number,
    consoleSpawn?: ConsoleSpawn,
  ) {
    this.console = new ConsoleManager(config.instanceId, publish, log, consoleSpawn);
    this.transfer = new TransferManager(config.instanceId, publish);
    this.onChannel('transfer', (id, payload) => this.transfer.handle(id, payload));
    this.trust = new HubKeyTrust(config.stateDir, config.hubKey, now);
    this.secret = new SecretStore(config.stateDir, config.secret);
  }

  /** Registers the handler of `transfer/<id>/in` frames. */
  onChannel(kind: 'transfer', fn: (channelId: string, payload: Buffer) => void): void {
    this.extra.set(kind, fn);
  }

  /** Handles a message on a channel topic; false for any other topic. Never throws. [SPEC 7] */
  handle(topic: string, payload: Buffer): boolean {
    const t = parseTopic(topic);
    if (!t.ok || !('channelId' in t.value)) return false;
    const { kind, channelId, direction } = t.value;
    if (direction !== 'in' || t.value.instanceId !== this.config.instanceId) {
      this.counters.badFrames++;
      return true;
    }
    try {
      if (kind === 'console') {
        const f = consoleInSchema.safeParse(JSON.parse(payload.toString()));
        if (!f.success) throw new Error('invalid console frame');
        this.console.frame(channelId, f.data);
      } else this.extra.get(kind)?.(channelId, payload);
    } catch (e) {
      this.counters.badFrames++;
      this.log('warn', `refused ${kind} frame on ${channelId}: ${(e as Error).message}`);
    }
    return true;
  }

  stop(): void {
    this.console.closeAll('sidecar stopping');
  }
}
