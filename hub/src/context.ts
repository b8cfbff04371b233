import type { HubKeyPair } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { AgentOps } from './agent-ops/service.js';
import type { Alerts } from './alerts/index.js';
import type { BillingService } from './billing/service.js';
import type { BrokerLink } from './broker/types.js';
import type { ScheduledChanges } from './changes/scheduled.js';
import type { Lease } from './cluster/lease.js';
import type { RemoteOps } from './commands/remote-ops.js';
import type { CommandService } from './commands/service.js';
import type { HubConfig } from './config.js';
import type { Db } from './db/index.js';
import type { MetricSources } from './db/metrics-query.js';
import type { TimescaleMonitor } from './db/timescale/monitor.js';
import type { DeploymentService } from './deploy/service.js';
import type { Experiments } from './experiments/service.js';
import type { WeeklyReports } from './experiments/weekly-report.js';
import type { Fleet } from './fleet/fleet.js';
import type { Ingest } from './ingest/index.js';
import type { Maintenance } from './maintenance/index.js';
import type { OnboardingService } from './onboarding/service.js';
import type { SecurityServices } from './security/index.js';
import type { HubStats } from './stats.js';
import type { TicketService } from './tickets/service.js';
import type { ClientWebhooks } from './webhooks/client-hooks.js';

/** Everything the HTTP app and the live stream use; built once by startHub (or by a test). */
export interface HubContext extends SecurityServices {
  config: HubConfig;
  db: Db;
  fleet: Fleet;
  stats: HubStats;
  commands: CommandService;
  /** Rollouts, announcements, console sessions, backups, key rotation. */
  ops: RemoteOps;
  ingest: Ingest;
  key: HubKeyPair;
  log: Logger;
  metricSources: MetricSources;
  broker: () => BrokerLink | null;
  /** Broker URL handed to new instances. */
  mqttUrl: () => string;
  /** Database and broker are ready (for /healthz). */
  ready: () => boolean;
  /** Brings rollups (plain tables or TimescaleDB aggregates) up to date now; the hub runs it every 30 s. */
  rollups: { run(): Promise<void> };
  /** Whether the TimescaleDB path is active. */
  timescale: boolean;
  /** Failing TimescaleDB jobs (null without TimescaleDB). */
  timescaleJobs?: Pick<TimescaleMonitor, 'jobs' | 'check'> | null;
  /** Desired agent configuration from onboarding; set when its routes are registered. */
  onboarding?: OnboardingService;
  /** Support tickets: threads, SLA clocks, mail notifications. */
  tickets: TicketService;
  /** Alert rules, alerts, silences, notification channels and deliveries. */
  alerts: Alerts;
  /** Maintenance windows per client (alerts mute during them; scheduled changes use them). */
  maintenance: Maintenance;
  /** Changes waiting for their client's maintenance window. */
  scheduledChanges: ScheduledChanges;
  /** The lease of the fleet-wide jobs: whether this hub runs them (cluster/fleet-jobs.ts). */
  fleetJobs?: Lease;
  /** Ops agents: identities, policy, findings, proposals and runs. */
  agentOps: AgentOps;
  /** Usage, plans, budgets, invoices and payments; set by startHub (tests may build without it). */
  billing?: BillingService;
  /** A/B experiments of persona variants; set by startHub. */
  experiments?: Experiments;
  /** Weekly report per client (dashboard and mail); set by startHub. */
  weeklyReports?: WeeklyReports;
  /** Clients' event webhooks (subscriptions, signed deliveries on the outbox); set by startHub. */
  clientWebhooks?: ClientWebhooks;
  /** Servers for instances (Hetzner + Tailscale); set by startHub. */
  deployments?: DeploymentService;
}
