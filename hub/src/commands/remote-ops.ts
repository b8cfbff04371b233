import type { Logger } from 'pino';
import { BackupStores } from '../backups/regions.js';
import { BackupService } from '../backups/service.js';
import { LocalBackupStorage } from '../backups/storage.js';
import type { BrokerLink } from '../broker/types.js';
import { recordChanges } from '../changes/recorder.js';
import { type ConsoleOp, ConsoleService, userRoom } from '../console/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import type { ChannelMessage } from '../ingest/index.js';
import { type LiveServer, toOtherHubs } from '../live/socket.js';
import { AnnouncementService } from '../rollouts/announcements.js';
import { RolloutService } from '../rollouts/service.js';
import type { CommandService } from './service.js';

/** Everything built on top of single commands: rollouts, announcements, console, backups, key rotation. */
export interface RemoteOps {
  rollouts: RolloutService;
  announcements: AnnouncementService;
  console: ConsoleService;
  backups: BackupService;
  /** A console or transfer frame from a sidecar. */
  channel(m: ChannelMessage): void;
  /** Connects the live stream (after the HTTP server listens). */
  attachLive(live: LiveServer): void;
  /** Starts the timers (rollout steps, …). */
  /** Starts the rollout tick and the daily backup schedule (on the hub holding the fleet-wide jobs' lease). */
  start(): void;
  /** Stops those two and nothing else (the lease went to another hub). */
  stopSchedules(): void;
  stop(): Promise<void>;
}

/** Builds the remote-operations services of a hub. */
export function createRemoteOps(deps: {
  db: Db;
  fleet: Fleet;
  commands: CommandService;
  broker: () => BrokerLink | null;
  dataDir: string;
  /** Where backups go (default: the data directory), with the regional stores. */
  backupStores?: BackupStores;
  log: Logger;
}): RemoteOps {
  const announcements = new AnnouncementService(deps.db);
  recordChanges(deps.db, deps.fleet, deps.commands, deps.log.child({ mod: 'changes' }));
  const rollouts = new RolloutService(
    deps.db,
    deps.fleet,
    deps.commands,
    announcements,
    deps.log.child({ mod: 'rollouts' }),
  );
  const console = new ConsoleService(
    deps.db,
    deps.fleet,
    deps.commands,
    deps.broker,
    deps.dataDir,
    deps.log.child({ mod: 'console' }),
  );
  const stores = deps.backupStores ?? BackupStores.of(new LocalBackupStorage(deps.dataDir));
  const backups = new BackupService(
    deps.db,
    deps.fleet,
    deps.commands,
    deps.broker,
    stores,
    deps.log.child({ mod: 'backups' }),
  );
  const timers: NodeJS.Timeout[] = [];
  return {
    rollouts,
    announcements,
    console,
    backups,
    channel(m) {
      if (m.kind === 'console/out') console.frame(m.instanceId, m.channelId, m.message);
      else backups.frame(m.instanceId, m.channelId, m.message);
    },
    attachLive(live) {
      rollouts.live = live.sink;
      announcements.live = live.sink;
      console.live = live.sink;
      console.joinUser = (userId, room) => live.io.in(userRoom(userId)).socketsJoin(room);
      // With several hubs (live stream shared through Redis), the browser's socket may be on
      // another hub than the session: its operations go to the hub that holds the session.
      const forward = (op: ConsoleOp) => {
        if (live.shared()) toOtherHubs(live, CONSOLE_RELAY, op);
      };
      console.relay = (op) => {
        forward(op);
        return live.shared();
      };
      live.io.on(CONSOLE_RELAY, (op: ConsoleOp) => {
        console.apply(op);
      });
      live.io.on('connection', (socket) => attachConsoleEvents(socket as unknown as ConsoleSocket, console, forward));
    },
    start() {
      const t = setInterval(
        () => void rollouts.tick().catch((e) => deps.log.warn({ err: e }, 'rollout tick failed')),
        1000,
      );
      // The daily backup schedule is checked every 10 minutes (the first check a minute after start).
      const b = setInterval(
        () => void backups.tick().catch((e) => deps.log.warn({ err: e }, 'backup schedule failed')),
        10 * 60_000,
      );
      const first = setTimeout(() => void backups.tick().catch(() => {}), 60_000);
      for (const x of [t, b, first]) x.unref();
      timers.push(t, b, first);
    },
    stopSchedules() {
      for (const t of timers.splice(0)) clearInterval(t);
    },
    async stop() {
      for (const t of timers.splice(0)) clearInterval(t);
      await console.stop();
      stores.close();
    },
  };
}

/** The part of a Socket.IO socket the console uses. */
interface ConsoleSocket {
  data: unknown;
  join(room: string): unknown;
  on(
    ev: 'console.input' | 'console.resize' | 'console.ack',
    fn: (e: Record<string, unknown> | undefined) => void,
  ): unknown;
}

/** Server-side event carrying a browser's console operation to the hub that holds the session. */
const CONSOLE_RELAY = 'console.relay';

const str = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : null);
const int = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : null;

/**
 * Console events from a browser socket (protocol live.ts). Only the user who opened a session
 * drives it; malformed events are dropped without an answer. [SPEC 7.1]
 */
function attachConsoleEvents(socket: ConsoleSocket, c: ConsoleService, forward: (op: ConsoleOp) => void): void {
  const user = (socket.data as { user?: { id: string } }).user;
  if (!user) return;
  socket.join(userRoom(user.id));
  const apply = (op: ConsoleOp) => {
    if (!c.apply(op)) forward(op);
  };
  socket.on('console.input', (e) => {
    const sid = str(e?.sessionId, 64);
    const data = str(e?.data, 64 * 1024);
    if (sid && data !== null) apply({ op: 'input', sessionId: sid, userId: user.id, data });
  });
  socket.on('console.resize', (e) => {
    const sid = str(e?.sessionId, 64);
    const cols = int(e?.cols, 1, 1000);
    const rows = int(e?.rows, 1, 500);
    if (sid && cols && rows) apply({ op: 'resize', sessionId: sid, userId: user.id, cols, rows });
  });
  socket.on('console.ack', (e) => {
    const sid = str(e?.sessionId, 64);
    const bytes = int(e?.bytes, 0, 16 * 1024 * 1024);
    if (sid && bytes !== null) apply({ op: 'ack', sessionId: sid, userId: user.id, bytes });
  });
}
