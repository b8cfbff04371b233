import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { clients, instances } from '../schema.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One step of a deployment as stored and shown: start, end and a precise error. */
export interface DeploymentStep {
  name: string;
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  startedAt: string | null;
  endedAt: string | null;
  detail: string | null;
  error: string | null;
}

/**
 * A deployment: a durable job that rents a server for an instance and follows it until the
 * agent is live. Survives hub restarts (resumed from its row); the server it makes carries the
 * deployment id as a Hetzner label, so a resumed job finds it instead of creating another.
 */
export const deployments = pgTable(
  'deployments',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** The instance it makes (kept after a failure, which deletes the instance itself). */
    instanceId: text('instance_id').notNull(),
    /** deploy (a new instance) | resume (an existing instance from its snapshot, maybe elsewhere) */
    kind: text('kind').notNull().default('deploy'),
    /** queued | creating | booting | joining | live | failed | canceled */
    status: text('status').notNull(),
    provider: text('provider').notNull().default('hetzner'),
    location: text('location').notNull(),
    serverType: text('server_type').notNull(),
    /** Hetzner image name or snapshot id it boots from. */
    image: text('image').notNull(),
    steps: jsonb('steps').$type<DeploymentStep[]>().notNull(),
    serverId: bigint('server_id', { mode: 'number' }),
    serverName: text('server_name').notNull(),
    /** The create_server action, followed in the boot step. */
    actionId: bigint('action_id', { mode: 'number' }),
    ipv4: text('ipv4'),
    tailnetIp: text('tailnet_ip'),
    tailnetName: text('tailnet_name'),
    tailnetDeviceId: text('tailnet_device_id'),
    /** The auth key minted for this server (revoked once used or on failure). */
    tailnetKeyId: text('tailnet_key_id'),
    monthlyPrice: doublePrecision('monthly_price'),
    error: jsonb('error').$type<{ step: string; code: string; message: string }>(),
    /** What the cleanup after a failure or cancel removed, or could not. */
    cleanup: jsonb('cleanup').$type<Record<string, string>>(),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    /** Times the job was (re)started by a hub. */
    attempts: integer('attempts').notNull().default(0),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('deployments_client_idx').on(t.clientId, t.createdAt), index('deployments_status_idx').on(t.status)],
);

/** Where an instance runs (the seed's Instance model): provider, server, addresses, price. */
export const instanceHosts = pgTable('instance_hosts', {
  instanceId: text('instance_id')
    .primaryKey()
    .references(() => instances.id, { onDelete: 'cascade' }),
  provider: text('provider').notNull(),
  serverId: bigint('server_id', { mode: 'number' }),
  serverName: text('server_name').notNull(),
  serverType: text('server_type').notNull(),
  location: text('location').notNull(),
  /** ISO country of the location (data residency). */
  country: text('country'),
  ipv4: text('ipv4'),
  tailnetIp: text('tailnet_ip'),
  tailnetName: text('tailnet_name'),
  tailnetDeviceId: text('tailnet_device_id'),
  /** Gross monthly price in EUR from the server type's prices in that location. */
  monthlyPrice: doublePrecision('monthly_price'),
  /** running | paused (snapshot kept, server deleted) */
  state: text('state').notNull().default('running'),
  snapshotId: bigint('snapshot_id', { mode: 'number' }),
  /** The last pause, resume, resize or move: what, its state, and why it failed. */
  operation: jsonb('operation').$type<{ kind: string; status: string; error: string | null; at: string }>(),
  deploymentId: text('deployment_id'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * A warm-pool slot: one pre-booted server waiting in a location to be taken by a deploy. The row
 * is written before the server is made and the server carries the slot id as a Hetzner label, so
 * a hub restart finds it again and never makes two servers for one slot. What the server holds
 * before it is taken: Node, OpenClaw and the sidecar from the prepared snapshot, the tailnet join
 * (its own single-use key), and a sidecar.json naming the instance id and secret it will have;
 * the hub keeps only the secret's hashes here, and the instance (with those credentials) only
 * exists once a deploy takes the slot, so until then the sidecar cannot log in and holds no
 * client's data or settings.
 */
export const poolServers = pgTable(
  'pool_servers',
  {
    id: text('id').primaryKey(),
    location: text('location').notNull(),
    serverType: text('server_type').notNull(),
    /** Image or snapshot id, OpenClaw version and sidecar bundle it was made with: a change of any refreshes it. */
    image: text('image').notNull(),
    openclawVersion: text('openclaw_version').notNull(),
    sidecarSha256: text('sidecar_sha256').notNull(),
    /** creating | booting | joining | ready | taken | retiring */
    state: text('state').notNull(),
    /** The instance id its sidecar.json names (the instance is made when a deploy takes it). */
    instanceId: text('instance_id').notNull(),
    serverName: text('server_name').notNull(),
    serverId: bigint('server_id', { mode: 'number' }),
    actionId: bigint('action_id', { mode: 'number' }),
    ipv4: text('ipv4'),
    tailnetKeyId: text('tailnet_key_id'),
    tailnetDeviceId: text('tailnet_device_id'),
    tailnetIp: text('tailnet_ip'),
    tailnetName: text('tailnet_name'),
    secretHash: text('secret_hash'),
    mosquittoHash: text('mosquitto_hash'),
    monthlyPrice: doublePrecision('monthly_price'),
    /** The deployment that took it. */
    deploymentId: text('deployment_id'),
    /** The last problem filling this slot, in the provider's words. */
    error: text('error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    readyAt: ts('ready_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('pool_servers_location_idx').on(t.location, t.state)],
);
