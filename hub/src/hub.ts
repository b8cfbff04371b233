import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { AgentOps } from './agent-ops/service.js';
import { Alerts } from './alerts/index.js';
import { buildApp } from './app.js';
import type { BootstrapResult } from './auth/users.js';
import { bootstrapAdmin } from './auth/users.js';
import { BackupStores } from './backups/regions.js';
import { createBackupStorage } from './backups/storage.js';
import { BillingService } from './billing/service.js';
import { verifyInstanceSecret } from './broker/credentials.js';
import { startEmbeddedBroker } from './broker/embedded.js';
import { startExternalBroker } from './broker/external.js';
import type { BrokerLink } from './broker/types.js';
import { ScheduledChanges } from './changes/scheduled.js';
import { everyJob, fleetJobsLease } from './cluster/fleet-jobs.js';
import { loadOrCreateHubKey } from './commands/keys.js';
import { createRemoteOps } from './commands/remote-ops.js';
import { CommandService } from './commands/service.js';
import { type HubConfig, type HubConfigInput, parseConfig } from './config.js';
import type { HubContext } from './context.js';
import { type Db, migrateOpen, openDatabase } from './db/index.js';
import { PLAIN_SOURCES } from './db/metrics-query.js';
import { Rollups } from './db/rollups.js';
import { setupTimescale, TimescaleMonitor } from './db/timescale/index.js';
import { ServerChangeNotices } from './deploy/change-notice.js';
import { InstanceLifecycle } from './deploy/lifecycle.js';
import { DeploymentService } from './deploy/service.js';
import { Experiments } from './experiments/service.js';
import { WeeklyReports } from './experiments/weekly-report.js';
import { Fleet } from './fleet/fleet.js';
import { Ingest } from './ingest/index.js';
import { type LiveSink, nullSink } from './live/sink.js';
import { attachLive, type LiveServer } from './live/socket.js';
import { Maintenance } from './maintenance/index.js';
import { createSecurity } from './security/index.js';
import { HubStats } from './stats.js';
import { createTickets } from './tickets/index.js';
import { assertPortFree, PortInUseError } from './util/listen.js';
import { type ClientEvents, nullClientEvents } from './webhooks/client-events.js';
import { ClientWebhooks } from './webhooks/client-hooks.js';

/** Options of startHub: the settings (see config.ts) plus an optional logger. */
export type StartHubOptions = Partial<HubConfigInput> & {
  logger?: Logger;
  /** An already open database to use instead of the configured one (migrated here, closed on stop). */
  database?: Db;
};

/** A running hub and handles for tests and tools. */
export interface RunningHub {
  httpUrl: string;
  mqttUrl: string;
  hubPublicKey: string;
  config: HubConfig;
  ctx: HubContext;
  app: FastifyInstance;
  db: Db;
  broker: BrokerLink;
  live: LiveServer;
  /** The first admin, when this start created it (generatedPassword set if the hub chose it). */
  admin: BootstrapResult | null;
  stop(): Promise<void>;
}

/** Starts database, broker, ingest, HTTP API and live stream. Throws PortInUseError on a taken port. */
export async function startHub(options: StartHubOptions = {}): Promise<RunningHub> {
  const { logger, database, ...settings } = options;
  const config = parseConfig(settings);
  const log = logger ?? pino({ level: config.logLevel });
  const stats = new HubStats();
  await assertPortFree(config.httpPort, config.bind, 'DS_HTTP_PORT');
  if (!config.mqttUrl) await assertPortFree(config.mqttPort, config.bind, 'DS_MQTT_PORT');
  const db = database ? await migrateOpen(database) : await openDatabase(config);
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => db.close()];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse())
      await Promise.resolve(c()).catch((e) => log.warn({ err: e }, 'stop step failed'));
  };
  try {
    const timescale = await setupTimescale(db, config, log);
    const tsMaintenance = timescale.maintenance ?? null;
    const tsMonitor = timescale.active
      ? new TimescaleMonitor(db, stats, log, () => tsMaintenance?.failures() ?? [])
      : null;
    if (tsMonitor) {
      tsMonitor.start();
      cleanups.push(() => tsMonitor.stop());
    }
    const fleet = new Fleet(db, config.heartbeatTimeoutSec * 1000);
    await fleet.load();
    const key = loadOrCreateHubKey(config.dataDir);
    const security = createSecurity(config, db, log);
    let broker: BrokerLink | null = null;
    let live: LiveSink = nullSink;
    let clientEvents: ClientEvents = nullClientEvents;
    const commands = new CommandService(db, fleet, () => broker, key, stats, log.child({ mod: 'commands' }));
    commands.secrets = security.secrets;
    const backupStores = await BackupStores.create(config, await createBackupStorage(config));
    for (const { region, storage } of backupStores.all()) {
      log.info({ location: storage.location, region }, 'backups are stored here');
      // A store that does not answer is reported at start, not only when the first backup fails.
      storage.check?.().catch((e) => log.warn({ err: (e as Error).message, region }, 'backup storage is not usable'));
    }
    const ops = createRemoteOps({
      db,
      fleet,
      commands,
      broker: () => broker,
      dataDir: config.dataDir,
      backupStores,
      log,
    });
    cleanups.push(() => ops.stop());
    const rollups = new Rollups(db, log, { rawDays: config.retentionRawDays, rollupDays: config.retentionRollupDays });
    if (!timescale.active) await rollups.recover();
    const ingest = new Ingest({
      db,
      deps: {
        fleet,
        live: () => live,
        clientEvents: () => clientEvents,
        stats,
        rollups: tsMaintenance ?? rollups,
        commands,
      },
      broker: () => broker,
      log: log.child({ mod: 'ingest' }),
      onOnline: (id) => {
        void commands.redeliver(id).catch((e) => log.warn({ err: e, id }, 'redelivery failed'));
        // The desired configuration follows an instance that (re)connects without it.
        void ctx?.onboarding?.instanceOnline(id).catch((e) => log.warn({ err: e, id }, 'onboarding apply failed'));
      },
      onChannel: (m) => ops.channel(m),
      // PGlite lives in this thread's memory and cannot be shared with another thread.
      metricsThread:
        config.ingestThread && db.kind === 'pg' && config.databaseUrl && !database
          ? { databaseUrl: config.databaseUrl, dbSchema: config.dbSchema }
          : undefined,
    });
    ingest.start();
    cleanups.push(() => ingest.stop());
    const admin = await bootstrapAdmin(db, { email: config.adminEmail, password: config.adminPassword }, log);

    const maintenance = new Maintenance(db);
    await maintenance.load();
    let hubUrl = config.publicUrl ?? '';
    const alerts = new Alerts({
      db,
      fleet,
      maintenance,
      mailer: security.mailer,
      config,
      secrets: security.secrets,
      log: log.child({ mod: 'alerts' }),
      hubUrl: () => hubUrl,
    });
    await alerts.load();
    cleanups.push(() => alerts.stop());
    // Client event webhooks ride on the alerts' outbox: one durable queue for outgoing calls.
    const clientWebhooks = new ClientWebhooks({
      db,
      secrets: security.secrets,
      delivery: alerts.delivery,
      mailer: security.mailer,
      stats,
      log: log.child({ mod: 'webhooks' }),
      allowPrivateTargets: config.webhooksAllowPrivateTargets,
      hubUrl: () => hubUrl,
    });
    await clientWebhooks.load();
    clientWebhooks.start();
    cleanups.push(() => clientWebhooks.stop());
    clientEvents = clientWebhooks;
    alerts.clientEvents = clientWebhooks;
    fleet.onStatus = (s) => {
      alerts.kick();
      clientWebhooks.publish(s.clientId, 'instance.status', {
        instanceId: s.id,
        hostname: s.hostname,
        status: s.status,
        lastSeen: s.lastSeen?.toISOString() ?? null,
      });
    };

    const agentOps = new AgentOps({
      db,
      fleet,
      commands,
      maintenance,
      config,
      deployments: () => ctx.deployments,
      backups: () => ops.backups,
      scheduled: () => ctx.scheduledChanges,
      hubActionPollMs: Math.max(100, Math.min(config.deployPollMs, 1000)),
    });
    await agentOps.start();

    let ready = false;
    const ctx: HubContext = {
      ...security,
      config,
      db,
      fleet,
      stats,
      commands,
      ops,
      ingest,
      key,
      log,
      metricSources: timescale.sources ?? PLAIN_SOURCES,
      broker: () => broker,
      mqttUrl: () => config.publicMqttUrl ?? broker?.url ?? '',
      ready: () => ready,
      rollups: tsMaintenance ?? rollups,
      timescale: timescale.active,
      timescaleJobs: tsMonitor,
      tickets: createTickets(db, security.mailer, config, log),
      alerts,
      maintenance,
      scheduledChanges: new ScheduledChanges({ db, fleet, maintenance, commands, log: log.child({ mod: 'changes' }) }),
      agentOps,
      clientWebhooks,
    };
    ctx.tickets.clientEvents = clientWebhooks;
    const billing = new BillingService({
      db,
      config,
      fleet,
      commands,
      mailer: security.mailer,
      log: log.child({ mod: 'billing' }),
      live: () => live,
    });
    await billing.init();
    billing.clientEvents = clientWebhooks;
    ctx.billing = billing;
    ctx.experiments = new Experiments(db, commands, () => ctx.onboarding, log.child({ mod: 'experiments' }));
    ctx.weeklyReports = new WeeklyReports(db, security.mailer, log.child({ mod: 'weekly-report' }));
    const app = await buildApp(ctx);
    cleanups.push(() => app.close());
    try {
      await app.listen({ port: config.httpPort, host: config.bind });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' || (e as NodeJS.ErrnoException).code === 'EACCES') {
        throw new PortInUseError('DS_HTTP_PORT', config.httpPort, config.bind, e);
      }
      throw e;
    }
    const addr0 = app.server.address();
    const ownUrl = `http://${config.bind === '0.0.0.0' || config.bind === '::' ? '127.0.0.1' : config.bind}:${typeof addr0 === 'object' && addr0 ? addr0.port : config.httpPort}`;
    const deployments = new DeploymentService({
      db,
      fleet,
      config,
      log: log.child({ mod: 'deploy' }),
      hubPublicKey: key.publicKey,
      mqttUrl: () => ctx.mqttUrl(),
      httpUrl: () => ownUrl,
      live: () => live,
      onboarding: () => ctx.onboarding,
    });
    ctx.deployments = deployments;
    cleanups.push(() => deployments.stop());
    // Resizes and moves, by an operator or an agent's approved proposal, tell the client first.
    const lifecycle = InstanceLifecycle.for(
      db,
      deployments,
      new ServerChangeNotices({
        db,
        announcements: ops.announcements,
        mailer: security.mailer,
        log: log.child({ mod: 'server-change' }),
      }),
      log.child({ mod: 'server-change' }),
    );
    const liveServer = attachLive(app.server, ctx);
    cleanups.push(() => liveServer.close());
    if (config.redisUrl)
      await liveServer.shareThroughRedis(config.redisUrl, config.shareGroup, log.child({ mod: 'live' }));
    live = liveServer.sink;
    fleet.live = live;
    commands.live = live;
    ops.attachLive(liveServer);

    const sink = ingest.accept.bind(ingest);
    broker = config.mqttUrl
      ? await startExternalBroker({
          url: config.mqttUrl,
          shareGroup: config.shareGroup,
          sink,
          stats,
          log,
          fleet,
          db,
          onOnline: (id) => {
            void ctx.onboarding?.instanceOnline(id).catch((e) => log.warn({ err: e, id }, 'onboarding apply failed'));
            return commands.redeliver(id);
          },
        })
      : await startEmbeddedBroker({
          port: config.mqttPort,
          bind: config.bind,
          tls:
            config.mqttTlsCert && config.mqttTlsKey
              ? { certFile: config.mqttTlsCert, keyFile: config.mqttTlsKey }
              : undefined,
          verify: (id, secret) => verifyInstanceSecret(db, id, secret),
          sink,
          stats,
          log: log.child({ mod: 'mqtt' }),
          onDisconnect: (id) => void fleet.setPresence(id, 'offline').catch(() => {}),
          onPing: (id) => fleet.touch(id),
        });
    const b = broker;
    if (b.everyHubReceivesAll) liveServer.keepLocal('metrics');
    cleanups.splice(1, 0, () => b.close()); // close the broker right after the database is the last thing

    // Every hub: its own presence and its commands' expiry.
    const timers = [
      setInterval(() => void fleet.tick().catch((e) => log.warn({ err: e }, 'fleet tick failed')), 5000),
      setInterval(() => void commands.sweep().catch((e) => log.warn({ err: e }, 'command sweep failed')), 1000),
    ];
    for (const t of timers) t.unref();
    cleanups.push(() => timers.forEach(clearInterval));
    hubUrl ||= `http://${config.bind.includes(':') ? `[${config.bind}]` : config.bind}:${(app.server.address() as { port: number }).port}`;
    // One hub of several: what must happen once for the whole fleet (cluster/fleet-jobs.ts).
    const jobsLog = log.child({ mod: 'jobs' });
    const fleetJobs = fleetJobsLease({
      db,
      dataDir: config.dataDir,
      log: jobsLog,
      jobs: [
        {
          name: 'alerts',
          start: () => alerts.start(),
          stop: (stopping) => (stopping ? alerts.stop() : alerts.follow()),
        },
        { name: 'billing', start: () => billing.start(), stop: () => billing.stop() },
        { name: 'rollouts and backup schedule', start: () => ops.start(), stop: () => ops.stopSchedules() },
        { name: 'warm pool', start: () => deployments.pool.start(), stop: () => deployments.pool.stop() },
        // A deployment whose hub died (its lease expired) goes on here (deploy/claims.ts); a server
        // change it was making is put right.
        everyJob(
          'orphaned deployments',
          10_000,
          () => Promise.all([deployments.adoptOrphans(), lifecycle.reconcileInterrupted()]),
          jobsLog,
        ),
        everyJob('rollups and retention', 30_000, () => (tsMaintenance ?? rollups).run(), jobsLog),
        everyJob('ticket sweep', 30_000, () => ctx.tickets.sweep(), jobsLog),
        everyJob('scheduled changes', 15_000, () => ctx.scheduledChanges.tick(), jobsLog),
        everyJob('experiments', 60_000, async () => ctx.experiments?.tick(), jobsLog),
        // Hourly; each client's report for the week just ended is sent once (weekly_reports).
        everyJob('weekly reports', 3_600_000, async () => ctx.weeklyReports?.sendDue(), jobsLog),
      ],
    });
    ctx.fleetJobs = fleetJobs;
    await fleetJobs.start();
    // Another hub holds the lease: this one's alert pages follow the database (the lease's own
    // start would otherwise read the same state again right after).
    if (!fleetJobs.held) await alerts.follow();
    cleanups.push(() => fleetJobs.stop());
    if (!deployments.unavailableReason()) {
      await deployments.adoptOrphans();
      await lifecycle.reconcileInterrupted();
      await agentOps.proposals.resumeHubActions();
    }
    ready = true;

    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.httpPort;
    const host = config.bind === '0.0.0.0' || config.bind === '::' ? '127.0.0.1' : config.bind;
    return {
      httpUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      mqttUrl: ctx.mqttUrl(),
      hubPublicKey: key.publicKey,
      config,
      ctx,
      app,
      db,
      broker: b,
      live: liveServer,
      admin,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
