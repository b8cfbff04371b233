import type { Logger } from 'pino';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { rooms } from '../live/sink.js';
import type { Maintenance } from '../maintenance/index.js';
import type { SecretStore } from '../secrets/store.js';
import type { Mailer } from '../security/mailer.js';
import { type ClientEvents, nullClientEvents } from '../webhooks/client-events.js';
import { sealChannelRows } from './channel-secrets.js';
import { type Channel, loadChannels } from './channels.js';
import { Delivery } from './delivery.js';
import { AlertEngine } from './engine.js';
import { Notifier } from './notifier.js';

export type { Channel } from './channels.js';
export { planAllowance } from './plans.js';

export interface AlertsDeps {
  db: Db;
  fleet: Fleet;
  maintenance: Maintenance;
  mailer: Mailer;
  config: HubConfig;
  /** Seals channel credentials at rest with the hub's master key. */
  secrets: SecretStore;
  log: Logger;
  /** Public URL of the hub for links (config.publicUrl, else the listening URL). */
  hubUrl: () => string;
}

/**
 * The alerting service: evaluation (engine), grouping (notifier) and the outbox (delivery) on one
 * clock. `runOnce` is a whole cycle; the timer runs it every DS_ALERTS_EVAL_SEC and a fleet status
 * change runs it sooner, so an instance going offline is seen within a fraction of a second.
 */
export class Alerts {
  readonly engine: AlertEngine;
  readonly notifier: Notifier;
  readonly delivery: Delivery;
  channels: Channel[] = [];
  /** The client's event webhooks (`alert.firing`, `alert.resolved`). */
  clientEvents: ClientEvents = nullClientEvents;
  private timers: NodeJS.Timeout[] = [];
  private cycle: Promise<void> | null = null;
  private pendingKick: NodeJS.Timeout | null = null;
  /** Whether this hub evaluates and notifies (it holds the fleet-wide jobs' lease). */
  private evaluating = false;
  private clock: () => number = Date.now;
  /** CPU time spent in evaluation (µs), for the benchmark and /metrics. */
  evalCpuMicros = 0;
  cycles = 0;

  constructor(private readonly d: AlertsDeps) {
    this.engine = new AlertEngine({
      db: d.db,
      fleet: d.fleet,
      maintenance: d.maintenance,
      log: d.log,
      dataRefreshMs: d.config.alertsDataRefreshSec * 1000,
      certFiles: d.config.mqttTlsCert ? [{ what: 'MQTT TLS certificate', file: d.config.mqttTlsCert }] : [],
      hubUrl: d.hubUrl,
    });
    this.notifier = new Notifier(d.db);
    // A ticket's alert leads to the ticket; an instance's to its page.
    this.notifier.link = (a) => {
      const base = d.hubUrl().replace(/\/$/, '');
      if (a.labels.ticket) return `${base}/support/?ticket=${encodeURIComponent(a.labels.ticket)}`;
      return a.instanceId ? `${base}/instance/?id=${encodeURIComponent(a.instanceId)}` : null;
    };
    this.delivery = new Delivery({
      db: d.db,
      mailer: d.mailer,
      log: d.log,
      pagerdutyUrl: d.config.pagerdutyUrl,
      hubUrl: d.hubUrl,
      maxAttempts: d.config.alertsMaxAttempts,
      retrySec: d.config.alertsRetrySec,
      now: () => this.clock(),
      channel: (id) => this.channels.find((c) => c.id === id),
      targets: { allowPrivate: d.config.alertsAllowPrivateTargets },
    });
    this.engine.onTransitions = (ts) => {
      const fleetRoom = [rooms.fleet];
      for (const t of ts) {
        const to = t.alert.clientId ? [...fleetRoom, rooms.client(t.alert.clientId)] : fleetRoom;
        d.fleet.live.emit(to, 'alert', {
          id: t.alert.id,
          ruleId: t.alert.ruleId,
          from: t.from,
          to: t.to,
          instanceId: t.alert.instanceId,
        });
        if (t.alert.clientId && (t.to === 'firing' || t.to === 'resolved'))
          this.clientEvents.publish(t.alert.clientId, t.to === 'firing' ? 'alert.firing' : 'alert.resolved', {
            alertId: t.alert.id,
            ruleId: t.alert.ruleId,
            severity: t.alert.severity,
            instanceId: t.alert.instanceId,
            labels: t.alert.labels,
            annotations: t.alert.annotations,
            value: t.alert.value,
            firedAt: t.alert.firedAt?.toISOString() ?? null,
            resolvedAt: t.alert.resolvedAt?.toISOString() ?? null,
          });
      }
    };
  }

  /** The clock for evaluation, grouping and retries (tests set a fake one). */
  get now(): () => number {
    return this.clock;
  }
  set now(fn: () => number) {
    this.clock = fn;
    this.engine.now = fn;
  }

  async load(): Promise<void> {
    await this.engine.load();
    await this.notifier.load();
    // Channels saved before their credentials were sealed, or under an older master key, are sealed now.
    await sealChannelRows(this.d.db, this.d.secrets, this.d.log);
    await this.reloadChannels();
  }

  async reloadChannels(): Promise<void> {
    this.channels = await loadChannels(this.d.db, this.d.secrets, this.d.log);
  }

  /** Evaluate, dispatch to channels, deliver what is due. Overlapping calls wait for the running one. */
  runOnce(): Promise<void> {
    if (this.cycle) return this.cycle.then(() => this.runOnce());
    this.cycle = (async () => {
      try {
        await this.engine.refreshShared();
        const cpu0 = process.cpuUsage();
        await this.engine.evaluate();
        const now = this.clock();
        const firing = this.engine.firing(now);
        const cpu = process.cpuUsage(cpu0);
        this.evalCpuMicros += cpu.user + cpu.system;
        this.cycles++;
        const written = await this.notifier.dispatch(now, this.channels, firing, this.engine.alerts);
        if (written) this.delivery.kick().catch((e) => this.d.log.warn({ err: e }, 'delivery failed'));
      } finally {
        this.cycle = null;
      }
    })();
    return this.cycle;
  }

  /** A cycle soon (coalesced): a status changed. Only on the hub that evaluates. */
  kick(): void {
    if (!this.evaluating || this.pendingKick) return;
    this.pendingKick = setTimeout(() => {
      this.pendingKick = null;
      void this.runOnce().catch((e) => this.d.log.warn({ err: e }, 'alert evaluation failed'));
    }, 100);
    this.pendingKick.unref();
  }

  /**
   * Evaluates and notifies from now on: on the hub holding the fleet-wide jobs' lease (one of
   * several hubs, or the only one). It starts from the state in the database, as another hub may
   * have evaluated until now.
   */
  async start(): Promise<void> {
    this.stopTimers();
    await this.load();
    this.evaluating = true;
    const run = () => void this.runOnce().catch((e) => this.d.log.warn({ err: e }, 'alert evaluation failed'));
    const deliver = () => void this.delivery.kick().catch((e) => this.d.log.warn({ err: e }, 'delivery failed'));
    this.timers.push(setInterval(run, this.d.config.alertsEvalSec * 1000), setInterval(deliver, 1000));
    for (const t of this.timers) t.unref();
    run();
  }

  /**
   * Stops evaluating and notifying, and follows the database instead (another hub evaluates), so
   * this hub's API still shows every alert as it is.
   */
  async follow(): Promise<void> {
    await this.stop();
    const mirror = () =>
      void this.engine.mirror().catch((e) => this.d.log.warn({ err: e }, 'reading the alerts of the database failed'));
    this.timers.push(setInterval(mirror, this.d.config.alertsEvalSec * 1000));
    for (const t of this.timers) t.unref();
    mirror();
  }

  async stop(): Promise<void> {
    this.evaluating = false;
    this.stopTimers();
    if (this.pendingKick) clearTimeout(this.pendingKick);
    this.pendingKick = null;
    await this.cycle?.catch(() => {});
    await this.delivery.idle();
  }

  private stopTimers() {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
