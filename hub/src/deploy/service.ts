import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { HetznerClient, monthlyPrice } from '../cloud/hetzner/client.js';
import { HetznerError } from '../cloud/hetzner/errors.js';
import type { HAction, HServer } from '../cloud/hetzner/types.js';
import { TailscaleClient, TailscaleError } from '../cloud/tailscale/client.js';
import { leaseHolder } from '../cluster/lease.js';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import type { DeploymentStep } from '../db/tables/deployments.js';
import type { Fleet } from '../fleet/fleet.js';
import { type LiveSink, rooms } from '../live/sink.js';
import type { OnboardingService } from '../onboarding/service.js';
import { newId } from '../util/ids.js';
import { DeployArtifacts } from './artifacts.js';
import { DeploymentClaims, HANDOVER } from './claims.js';
import { buildUserData, CLIENT_FIREWALL_RULES, openclawConfigFor } from './cloud-init.js';
import { WarmPool } from './pool.js';
import { createInstanceRecord, deleteInstanceRecord, issueInstanceSecret } from './records.js';
import { clientLocation } from './region.js';

export const STEP_NAMES = [
  'reserve',
  'create_server',
  'boot',
  'join_tailnet',
  'sidecar_connected',
  'configured',
  'live',
] as const;
export type StepName = (typeof STEP_NAMES)[number];
export type DeploymentStatus = 'queued' | 'creating' | 'booting' | 'joining' | 'live' | 'failed' | 'canceled';
const STATUS_OF: Record<StepName, DeploymentStatus> = {
  reserve: 'creating',
  create_server: 'creating',
  boot: 'booting',
  join_tailnet: 'joining',
  sidecar_connected: 'joining',
  configured: 'joining',
  // 'live' is the deployment's end, set once every step is done: while the last step runs it is
  // still joining (a status of 'live' is terminal, and a hub stopping in that step must resume it).
  live: 'joining',
};
const TERMINAL = new Set<DeploymentStatus>(['live', 'failed', 'canceled']);
/** Label keys on every server a deployment makes (Hetzner labels find them again). */
export const LABEL = {
  deployment: 'deepsignal/deployment',
  instance: 'deepsignal/instance',
  client: 'deepsignal/client',
};
const FIREWALL_LABEL = 'deepsignal/role=client-firewall';
/** How long a step keeps retrying an API that does not answer, is rate limited or failing on its side. */
const TRANSIENT_WINDOW_MS = 5 * 60_000;

/** A step that failed for a reason worth telling as is (the provider's words, or ours). */
export class StepFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A deployment row as the service works on it. */
export interface DeploymentRow {
  id: string;
  /** deploy: a new instance; resume: a paused one from its snapshot; replace: a new server for a dead one. */
  kind: 'deploy' | 'resume' | 'replace';
  clientId: string;
  instanceId: string;
  status: DeploymentStatus;
  provider: string;
  location: string;
  serverType: string;
  image: string;
  steps: DeploymentStep[];
  serverId: number | null;
  serverName: string;
  actionId: number | null;
  ipv4: string | null;
  tailnetIp: string | null;
  tailnetName: string | null;
  tailnetDeviceId: string | null;
  tailnetKeyId: string | null;
  monthlyPrice: number | null;
  error: { step: string; code: string; message: string } | null;
  cleanup: Record<string, string> | null;
  cancelRequested: boolean;
  attempts: number;
  /** The warm-pool slot it took its server from (null: a cold create). */
  poolSlotId?: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const toRow = (r: Record<string, unknown>): DeploymentRow => ({
  id: String(r.id),
  kind: r.kind === 'resume' || r.kind === 'replace' ? r.kind : 'deploy',
  clientId: String(r.client_id),
  instanceId: String(r.instance_id),
  status: r.status as DeploymentStatus,
  provider: String(r.provider),
  location: String(r.location),
  serverType: String(r.server_type),
  image: String(r.image),
  steps: r.steps as DeploymentStep[],
  serverId: r.server_id === null ? null : Number(r.server_id),
  serverName: String(r.server_name),
  actionId: r.action_id === null ? null : Number(r.action_id),
  ipv4: (r.ipv4 as string) ?? null,
  tailnetIp: (r.tailnet_ip as string) ?? null,
  tailnetName: (r.tailnet_name as string) ?? null,
  tailnetDeviceId: (r.tailnet_device_id as string) ?? null,
  tailnetKeyId: (r.tailnet_key_id as string) ?? null,
  monthlyPrice: r.monthly_price === null ? null : Number(r.monthly_price),
  error: (r.error as DeploymentRow['error']) ?? null,
  cleanup: (r.cleanup as Record<string, string>) ?? null,
  cancelRequested: !!r.cancel_requested,
  attempts: Number(r.attempts),
  createdBy: String(r.created_by),
  createdAt: iso(r.created_at) as string,
  updatedAt: iso(r.updated_at) as string,
  finishedAt: iso(r.finished_at),
});

/** The API's and the live stream's view of a deployment. */
export function deploymentView(d: DeploymentRow) {
  return {
    id: d.id,
    kind: d.kind,
    clientId: d.clientId,
    instanceId: d.instanceId,
    status: d.status,
    steps: d.steps,
    server: {
      provider: d.provider,
      id: d.serverId,
      name: d.serverName,
      serverType: d.serverType,
      location: d.location,
      ipv4: d.ipv4,
      tailnetIp: d.tailnetIp,
      tailnetName: d.tailnetName,
      monthlyPrice: d.monthlyPrice,
    },
    error: d.error,
    cleanup: d.cleanup,
    createdBy: d.createdBy,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    finishedAt: d.finishedAt,
  };
}
export type DeploymentView = ReturnType<typeof deploymentView>;

export interface DeployDeps {
  db: Db;
  fleet: Fleet;
  config: HubConfig;
  log: Logger;
  hubPublicKey: string;
  mqttUrl: () => string;
  /** The hub's own HTTP URL (default for what servers fetch over the tailnet). */
  httpUrl: () => string;
  live: () => LiveSink;
  onboarding: () => OnboardingService | undefined;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((res, rej) => {
    if (signal.aborted) return rej(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      rej(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      res();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

const transient = (e: unknown) =>
  (e instanceof HetznerError && e.transient) ||
  (e instanceof TailscaleError && (e.network || e.status === 429 || e.status >= 500));

const describe = (e: unknown): { code: string; message: string } => {
  if (e instanceof StepFailure) return { code: e.code, message: e.message };
  if (e instanceof HetznerError) return { code: e.code, message: e.describe() };
  if (e instanceof TailscaleError) return { code: 'tailscale_error', message: e.describe() };
  return { code: 'internal', message: (e as Error)?.message ?? String(e) };
};

/**
 * Deployments as durable jobs: each is a row whose steps run in order and are each safe to run
 * again, so a hub that stops mid-deploy resumes where it was (adoptOrphans) and never makes a second
 * server for one deployment: the server carries the deployment id as a label and create_server
 * looks it up before creating. A failure or a cancel removes everything the deployment made
 * (server, tailnet key and device, instance record) and keeps the row with the reason.
 */
export class DeploymentService {
  readonly hetzner: HetznerClient | null;
  readonly tailscale: TailscaleClient | null;
  readonly artifacts: DeployArtifacts;
  readonly pool: WarmPool;
  /** The deployments this hub runs (it holds their leases). */
  private readonly claims: DeploymentClaims;
  /** The name this hub holds leases under (deployments', and server changes'). */
  readonly holder: string;
  private firewallId: number | null = null;
  private catalogueCache: { at: number; value: Awaited<ReturnType<DeploymentService['loadCatalogue']>> } | null = null;
  private stopped = false;

  constructor(private readonly d: DeployDeps) {
    const c = d.config;
    this.hetzner = c.hetznerToken
      ? new HetznerClient({ token: c.hetznerToken, baseUrl: c.hetznerUrl, actionPollMs: c.deployPollMs })
      : null;
    this.tailscale =
      c.tailscaleApiKey || (c.tailscaleOauthClientId && c.tailscaleOauthClientSecret)
        ? new TailscaleClient({
            baseUrl: c.tailscaleUrl,
            tailnet: c.tailscaleTailnet,
            apiKey: c.tailscaleApiKey,
            oauthClientId: c.tailscaleOauthClientId,
            oauthClientSecret: c.tailscaleOauthClientSecret,
          })
        : null;
    this.artifacts = new DeployArtifacts(c.dataDir, c.deploySidecarBundle);
    this.pool = new WarmPool({ db: d.db, config: c, log: d.log.child({ mod: 'warm-pool' }) }, this);
    this.holder = leaseHolder(c.dataDir);
    this.claims = new DeploymentClaims({
      db: d.db,
      holder: this.holder,
      log: d.log,
      run: (id, signal) => this.run(id, signal),
      canceled: () => new StepFailure('canceled', 'the deployment was canceled'),
    });
  }

  /** The hub's HTTP URL as client servers reach it (the bundle and installer downloads). */
  hubHttpUrl(): string {
    const c = this.d.config;
    return (c.deployHubUrl ?? c.publicUrl ?? this.d.httpUrl()).replace(/\/+$/, '');
  }

  /** Why deployments cannot run here (null when they can). */
  unavailableReason(): string | null {
    if (!this.hetzner) return 'deployments need DS_HETZNER_TOKEN (a Hetzner Cloud project API token)';
    if (!this.tailscale) return 'deployments need DS_TAILSCALE_API_KEY or DS_TAILSCALE_OAUTH_CLIENT_ID and _SECRET';
    return null;
  }

  // --- catalogue

  /** Locations (with country) and server types with their monthly price per location. */
  async catalogue() {
    if (this.catalogueCache && Date.now() - this.catalogueCache.at < 10 * 60_000) return this.catalogueCache.value;
    const value = await this.loadCatalogue();
    this.catalogueCache = { at: Date.now(), value };
    return value;
  }

  private async loadCatalogue() {
    const hz = this.requireHetzner();
    const [locations, types] = await Promise.all([hz.locations(), hz.serverTypes()]);
    return {
      locations: locations.map((l) => ({
        name: l.name,
        description: l.description,
        city: l.city,
        country: l.country,
        networkZone: l.network_zone,
      })),
      serverTypes: types
        .filter((t) => !t.deprecated)
        .map((t) => ({
          name: t.name,
          description: t.description,
          cores: t.cores,
          memoryGb: t.memory,
          diskGb: t.disk,
          cpuType: t.cpu_type,
          architecture: t.architecture,
          monthlyPrice: Object.fromEntries(t.prices.map((p) => [p.location, Number(p.price_monthly.gross)])),
        })),
    };
  }

  private requireHetzner(): HetznerClient {
    if (!this.hetzner) throw new StepFailure('not_configured', this.unavailableReason() ?? 'not configured');
    return this.hetzner;
  }

  // --- jobs

  async get(id: string): Promise<DeploymentRow | null> {
    const r = await this.d.db.query('SELECT * FROM deployments WHERE id = $1', [id]);
    return r[0] ? toRow(r[0]) : null;
  }

  async list(clientId?: string): Promise<DeploymentRow[]> {
    const r = clientId
      ? await this.d.db.query('SELECT * FROM deployments WHERE client_id = $1 ORDER BY created_at DESC LIMIT 200', [
          clientId,
        ])
      : await this.d.db.query('SELECT * FROM deployments ORDER BY created_at DESC LIMIT 200');
    return r.map(toRow);
  }

  /** The newest deployment that is not finished for a client, if any. */
  async activeFor(clientId: string): Promise<DeploymentRow | null> {
    const r = await this.d.db.query(
      `SELECT * FROM deployments WHERE client_id = $1 AND status NOT IN ('failed','canceled') ORDER BY created_at DESC LIMIT 1`,
      [clientId],
    );
    return r[0] ? toRow(r[0]) : null;
  }

  /** Queues a deployment and starts it. */
  async create(o: {
    clientId: string;
    location: string;
    serverType: string;
    actor: string;
    /** Image name or snapshot id (default DS_HETZNER_IMAGE). */
    image?: string;
    /** Resume: bring this existing instance back from `image` (its snapshot). */
    resume?: { instanceId: string; image: string };
    /** Replace: a new server (named `serverName`, beside the dead one) for this existing instance. */
    replace?: { instanceId: string; serverName: string };
  }): Promise<DeploymentRow> {
    const id = newId('dep');
    const image = o.resume?.image ?? o.image ?? this.d.config.hetznerImage;
    const steps: DeploymentStep[] = STEP_NAMES.map((name) => ({
      name,
      status: 'pending',
      startedAt: null,
      endedAt: null,
      detail: null,
      error: null,
    }));
    // A new instance takes a ready warm-pool server when one matches (the pool's snapshot unless
    // the deploy names another image); the take and the deployment row are one transaction.
    const poolImage = this.pool.pinned().image;
    const pooled = !o.resume && !o.replace && (!o.image || o.image === poolImage) && !this.unavailableReason();
    const slot = await this.d.db.tx(async (q) => {
      const taken = pooled
        ? await WarmPool.take(q, { deploymentId: id, location: o.location, serverType: o.serverType, image: poolImage })
        : null;
      const instanceId = taken?.instanceId ?? o.resume?.instanceId ?? o.replace?.instanceId ?? newId('inst');
      await q.query(
        `INSERT INTO deployments (id, kind, client_id, instance_id, status, location, server_type, image, steps, server_name,
           created_by, server_id, ipv4, tailnet_ip, tailnet_name, tailnet_device_id, monthly_price)
         VALUES ($1,$2,$3,$4,'queued',$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
        [
          id,
          o.resume ? 'resume' : o.replace ? 'replace' : 'deploy',
          o.clientId,
          instanceId,
          o.location,
          o.serverType,
          taken?.image ?? image,
          JSON.stringify(steps),
          taken?.serverName ?? o.replace?.serverName ?? `ds-${instanceId}`,
          o.actor,
          taken?.serverId ?? null,
          taken?.ipv4 ?? null,
          taken?.tailnetIp ?? null,
          taken?.tailnetName ?? null,
          taken?.tailnetDeviceId ?? null,
          taken?.monthlyPrice ?? null,
        ],
      );
      return taken;
    });
    if (slot) this.pool.kick(); // the refill starts now
    const row = (await this.get(id)) as DeploymentRow;
    this.emit(row);
    this.start(id);
    return row;
  }

  private readonly onboardingStarts = new Set<string>();

  /**
   * Onboarding's deploy: once a client has a working provider key, its first server is deployed
   * (the client's location or the default, default server type), unless deploys wait for an operator (DS_DEPLOY_APPROVAL).
   */
  async startForOnboarding(clientId: string, actor: string): Promise<DeploymentRow | null> {
    if (this.d.config.deployApproval !== 'auto' || this.unavailableReason() || this.onboardingStarts.has(clientId))
      return null;
    this.onboardingStarts.add(clientId);
    try {
      if (await this.activeFor(clientId)) return null;
      if ((await this.d.db.query('SELECT 1 FROM instances WHERE client_id = $1 LIMIT 1', [clientId]))[0]) return null;
      // The location the client chose at onboarding (or an operator set), else the default.
      const chosen = await clientLocation(this.d.db, clientId);
      return await this.create({
        clientId,
        location: chosen?.name ?? this.d.config.deployLocation,
        serverType: this.d.config.deployServerType,
        actor,
      });
    } finally {
      this.onboardingStarts.delete(clientId);
    }
  }

  /** Asks a deployment to stop; it removes what it made and ends `canceled`. */
  async cancel(id: string): Promise<DeploymentRow | null> {
    const row = await this.get(id);
    if (!row || TERMINAL.has(row.status)) return row;
    await this.d.db.query('UPDATE deployments SET cancel_requested = true, updated_at = now() WHERE id = $1', [id]);
    // Running here: stopped now. Running on another hub: it sees the request within seconds.
    // Running nowhere (its hub died): taken here, and the job cleans up.
    if (!this.claims.abort(id, new StepFailure('canceled', 'the deployment was canceled'))) this.start(id);
    return this.get(id);
  }

  /**
   * Takes over every unfinished deployment no live hub runs: at start (a restarted hub takes its
   * own back at once) and, on the hub holding the fleet-wide jobs' lease, every few seconds, so a
   * deployment whose hub died goes on within the lease's lifetime.
   */
  async adoptOrphans(): Promise<void> {
    if (this.unavailableReason()) return;
    const rows = await this.d.db.query<{ id: string }>(
      `SELECT d.id FROM deployments d LEFT JOIN hub_leases l ON l.name = 'deployment:' || d.id AND l.expires_at > now()
       WHERE d.status NOT IN ('live','failed','canceled') AND (l.name IS NULL OR l.holder = $1) ORDER BY d.created_at`,
      [this.holder],
    );
    for (const r of rows) this.start(r.id);
  }

  /** Stops running deployments without cleaning up (another hub, or the next start, resumes them). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.pool.stop();
    await this.claims.stop();
  }

  /** Waits until a deployment's job settles here (tests). */
  async settled(id: string): Promise<void> {
    await this.claims.settled(id);
  }

  private start(id: string) {
    if (!this.stopped) this.claims.start(id);
  }

  /**
   * Writes the deployment's progress, only while this hub holds its lease: a hub whose lease was
   * taken over (it was cut off from the database for too long) learns it here and stops, without
   * writing over the new runner's progress or cleaning up what that runner goes on with.
   */
  private async save(row: DeploymentRow) {
    const saved = await this.d.db.query(
      `UPDATE deployments SET status=$2, steps=$3, server_id=$4, action_id=$5, ipv4=$6, tailnet_ip=$7, tailnet_name=$8,
         tailnet_device_id=$9, tailnet_key_id=$10, monthly_price=$11, error=$12, cleanup=$13, finished_at=$14, updated_at=now()
       WHERE id=$1 AND EXISTS (SELECT 1 FROM hub_leases WHERE name = 'deployment:' || $1 AND holder = $15)
       RETURNING id`,
      [
        row.id,
        row.status,
        JSON.stringify(row.steps),
        row.serverId,
        row.actionId,
        row.ipv4,
        row.tailnetIp,
        row.tailnetName,
        row.tailnetDeviceId,
        row.tailnetKeyId,
        row.monthlyPrice,
        row.error ? JSON.stringify(row.error) : null,
        row.cleanup ? JSON.stringify(row.cleanup) : null,
        row.finishedAt,
        this.holder,
      ],
    );
    if (!saved.length) throw new LeaseLost(row.id);
    row.updatedAt = new Date().toISOString();
    this.emit(row);
  }

  private emit(row: DeploymentRow) {
    const v = deploymentView(row);
    this.d.live().emit([rooms.fleet, rooms.client(row.clientId)], 'deployment', v as never);
  }

  private async run(id: string, signal: AbortSignal): Promise<void> {
    const row = await this.get(id);
    if (!row || TERMINAL.has(row.status)) return;
    await this.d.db.query('UPDATE deployments SET attempts = attempts + 1 WHERE id = $1', [id]);
    row.attempts++;
    row.poolSlotId =
      (await this.d.db.query<{ id: string }>('SELECT id FROM pool_servers WHERE deployment_id = $1', [id]))[0]?.id ??
      null;
    let current: DeploymentStep | undefined;
    try {
      if (row.cancelRequested) throw new StepFailure('canceled', 'the deployment was canceled');
      // A failure recorded before a restart still has its cleanup to finish.
      if (row.error) throw new StepFailure(row.error.code, row.error.message);
      for (const step of row.steps) {
        if (step.status === 'done' || step.status === 'skipped') continue;
        current = step;
        step.status = 'running';
        step.startedAt ??= new Date().toISOString();
        step.error = null;
        row.status = STATUS_OF[step.name as StepName];
        await this.save(row);
        const detail = await this.step(step.name as StepName, row, signal);
        step.status = detail === SKIPPED ? 'skipped' : 'done';
        step.detail = detail === SKIPPED ? step.detail : detail;
        step.endedAt = new Date().toISOString();
        await this.save(row);
        const fresh = await this.get(id);
        if (fresh?.cancelRequested) throw new StepFailure('canceled', 'the deployment was canceled');
      }
      row.status = 'live';
      row.finishedAt = new Date().toISOString();
      await this.save(row);
      this.d.log.info({ id, instanceId: row.instanceId, server: row.serverId }, 'deployment live');
    } catch (e) {
      // Another hub, or this one's next start, goes on with it.
      if (signal.reason === HANDOVER || e instanceof LeaseLost) {
        if (e instanceof LeaseLost) this.d.log.info({ id }, 'deployment taken over by another hub: it stops here');
        return;
      }
      await this.fail(id, row, current, e, signal).catch((lost) => {
        if (!(lost instanceof LeaseLost)) throw lost;
      });
    }
  }

  /** Records why the deployment failed (or that it was canceled), then removes what it made. */
  private async fail(
    id: string,
    row: DeploymentRow,
    current: DeploymentStep | undefined,
    e: unknown,
    signal: AbortSignal,
  ): Promise<void> {
    row = (await this.get(id)) ?? row;
    const canceled = row.cancelRequested || (e instanceof StepFailure && e.code === 'canceled');
    const err = describe(signal.aborted && signal.reason instanceof StepFailure ? signal.reason : e);
    if (current) {
      const s = row.steps.find((x) => x.name === current?.name);
      if (s) {
        s.status = 'failed';
        s.error = err.message;
        s.endedAt = new Date().toISOString();
      }
    }
    if (!canceled && !row.error) row.error = { step: current?.name ?? 'reserve', ...err };
    await this.save(row);
    this.d.log.warn({ id, err: err.message }, canceled ? 'deployment canceled' : 'deployment failed');
    row.cleanup = await this.cleanup(row);
    row.status = canceled ? 'canceled' : 'failed';
    row.finishedAt = new Date().toISOString();
    await this.save(row);
  }

  /** Retries `fn` while the API does not answer, rate-limits or fails on its side (for a while). */
  private async retrying<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const end = Date.now() + TRANSIENT_WINDOW_MS;
    for (let n = 0; ; n++) {
      try {
        return await fn();
      } catch (e) {
        if (!transient(e) || Date.now() > end || signal.aborted) throw e;
        this.d.log.warn({ err: (e as Error).message }, 'deployment: provider unavailable, retrying');
        await sleep(Math.min(15_000, this.d.config.deployPollMs * 2 ** Math.min(n, 4)), signal);
      }
    }
  }

  /** Polls `probe` until it returns a value, or fails with `timeout` after `ms`. */
  private async poll<T>(
    probe: () => Promise<T | null | undefined>,
    ms: number,
    signal: AbortSignal,
    timeout: () => StepFailure,
  ) {
    const end = Date.now() + ms;
    for (;;) {
      const v = await this.retrying(probe, signal);
      if (v !== null && v !== undefined) return v;
      if (Date.now() > end) throw timeout();
      await sleep(this.d.config.deployPollMs, signal);
    }
  }

  private async step(name: StepName, row: DeploymentRow, signal: AbortSignal): Promise<string | typeof SKIPPED> {
    const hz = this.requireHetzner();
    const ts = this.tailscale;
    if (!ts) throw new StepFailure('not_configured', this.unavailableReason() ?? 'Tailscale is not configured');
    const c = this.d.config;
    switch (name) {
      case 'reserve': {
        if (row.poolSlotId) {
          // The server holds the instance id and secret already; the instance and the
          // credentials (the hashes the slot kept) make its sidecar's next login succeed.
          await createInstanceRecord(this.d.db, this.d.fleet, {
            id: row.instanceId,
            clientId: row.clientId,
            hostname: row.serverName,
            actor: `deployment:${row.id}`,
          });
          await this.d.db.query(
            `INSERT INTO instance_credentials (instance_id, secret_hash, mosquitto_hash)
             SELECT $1, secret_hash, mosquitto_hash FROM pool_servers WHERE id = $2 AND secret_hash IS NOT NULL
             ON CONFLICT (instance_id) DO NOTHING`,
            [row.instanceId, row.poolSlotId],
          );
          return `instance ${row.instanceId} on warm-pool server ${row.serverId} (slot ${row.poolSlotId})`;
        }
        if (row.kind !== 'deploy') {
          const fw = await this.retrying(() => this.ensureFirewall(hz), signal);
          await this.artifacts.sidecarBundle();
          return `instance ${row.instanceId} ${row.kind === 'resume' ? `from snapshot ${row.image}` : 'on a replacement server'}; firewall ${fw}`;
        }
        await createInstanceRecord(this.d.db, this.d.fleet, {
          id: row.instanceId,
          clientId: row.clientId,
          hostname: row.serverName,
          actor: `deployment:${row.id}`,
        });
        const fw = await this.retrying(() => this.ensureFirewall(hz), signal);
        await this.artifacts.sidecarBundle();
        return `instance ${row.instanceId}; firewall ${fw} lets in only Tailscale (UDP 41641)`;
      }
      case 'create_server': {
        if (row.poolSlotId) {
          const labels = { [LABEL.deployment]: row.id, [LABEL.instance]: row.instanceId, [LABEL.client]: row.clientId };
          const s = await this.retrying(() => hz.updateServer(row.serverId as number, { labels }), signal).catch(
            (e) => {
              if (e instanceof HetznerError && e.code === 'not_found') return null;
              throw e;
            },
          );
          if (s) {
            await this.adopt(row, s, null);
            return `taken from the warm pool: server ${s.id} (${s.name}) in ${row.location}, ${row.serverType}, already booted`;
          }
          // Deleted behind the pool's back: forget the slot (and its tailnet device, which would
          // pass for the new server's join) and create one for this instance after all.
          const gone = row.serverId;
          if (row.tailnetDeviceId) await this.retrying(() => ts.deleteDevice(row.tailnetDeviceId as string), signal);
          await this.d.db.query('DELETE FROM pool_servers WHERE id = $1', [row.poolSlotId]);
          Object.assign(row, { poolSlotId: null, serverId: null, ipv4: null, tailnetIp: null, tailnetName: null });
          row.tailnetDeviceId = null;
          await this.save(row);
          await this.retrying(() => this.ensureFirewall(hz), signal);
          const made = await this.retrying(() => this.createServer(hz, ts, row, signal), signal);
          await this.adopt(row, made.server, made.action);
          return `cold create (the warm-pool server ${gone} no longer existed): server ${made.server.id} (${made.server.name}) in ${row.location}, ${row.serverType}`;
        }
        const found = await this.retrying(() => hz.listServers(`${LABEL.deployment}=${row.id}`), signal);
        if (found[0]) {
          await this.adopt(row, found[0], null);
          return `server ${found[0].id} (${found[0].name}) was already made for this deployment`;
        }
        const made = await this.retrying(() => this.createServer(hz, ts, row, signal), signal);
        await this.adopt(row, made.server, made.action);
        const poolHere = this.pool.pinned().targets.some((t) => t.location === row.location && t.count > 0);
        return `${poolHere ? 'cold create (no matching warm-pool server was ready): ' : ''}server ${made.server.id} (${made.server.name}) in ${row.location}, ${row.serverType}`;
      }
      case 'boot': {
        if (row.actionId !== null) {
          const a = await this.poll(
            async () => {
              const x = await hz.getAction(row.actionId as number);
              return x.status === 'running' ? null : x;
            },
            10 * 60_000,
            signal,
            () => new StepFailure('timeout', 'Hetzner: the server was still being created after 10 minutes'),
          );
          if (a.status === 'error')
            throw new StepFailure(
              a.error?.code ?? 'action_failed',
              `Hetzner: ${a.error?.message ?? 'creating the server failed'} (${a.error?.code ?? 'action_failed'})`,
            );
        }
        const s = await this.poll(
          async () => {
            const x = await hz.getServer(row.serverId as number);
            if (!x) throw new StepFailure('not_found', `Hetzner: server ${row.serverId} no longer exists`);
            return x.status === 'running' ? x : null;
          },
          10 * 60_000,
          signal,
          () => new StepFailure('timeout', 'Hetzner: the server did not reach "running" within 10 minutes'),
        );
        row.ipv4 = s.public_net.ipv4?.ip ?? row.ipv4;
        await this.upsertHost(row);
        return `${row.poolSlotId ? 'already running (warm pool) ' : 'running '}at ${row.ipv4 ?? 'no public IPv4'}`;
      }
      case 'join_tailnet': {
        const dev = await this.poll(
          () => ts.deviceByHostname(row.serverName),
          c.deployJoinTimeoutSec * 1000,
          signal,
          () =>
            new StepFailure(
              'tailnet_timeout',
              `the server did not join the tailnet within ${c.deployJoinTimeoutSec} s (Tailscale lists no device ${row.serverName})`,
            ),
        );
        row.tailnetDeviceId = dev.id;
        row.tailnetName = dev.name;
        row.tailnetIp = dev.addresses.find((a) => a.includes('.')) ?? dev.addresses[0] ?? null;
        if (row.tailnetKeyId) {
          await ts.deleteAuthKey(row.tailnetKeyId).catch(() => {});
          row.tailnetKeyId = null;
        }
        await this.upsertHost(row);
        return `${row.tailnetName} at ${row.tailnetIp}`;
      }
      case 'sidecar_connected': {
        await this.poll(
          async () => (this.d.fleet.get(row.instanceId)?.presence === 'online' ? true : null),
          c.deployConnectTimeoutSec * 1000,
          signal,
          () =>
            new StepFailure(
              'sidecar_timeout',
              `the sidecar on ${row.serverName} did not connect to the hub within ${c.deployConnectTimeoutSec} s`,
            ),
        );
        return 'connected over MQTT';
      }
      case 'configured': {
        const onb = this.d.onboarding();
        const first = onb ? await onb.get(row.clientId) : null;
        if (!onb || !first || first.revision === 0) return 'no agent configuration to apply yet';
        await onb.applyTo(row.instanceId).catch(() => null);
        const rev = await this.poll(
          async () => {
            const cur = await onb.get(row.clientId);
            const a = cur?.applied[row.instanceId];
            if (!cur || !a) {
              await onb.applyTo(row.instanceId).catch(() => null);
              return null;
            }
            if (a.confirmedRevision !== null && a.confirmedRevision >= first.revision) return a.confirmedRevision;
            if (['failed', 'timed_out', 'rejected'].includes(a.status))
              throw new StepFailure(
                'config_failed',
                `the agent did not take its configuration: ${a.error?.message ?? a.status}`,
              );
            return null;
          },
          c.deployConfigureTimeoutSec * 1000,
          signal,
          () =>
            new StepFailure(
              'config_timeout',
              `the agent did not confirm its configuration within ${c.deployConfigureTimeoutSec} s`,
            ),
        );
        return `configuration revision ${rev} confirmed`;
      }
      case 'live':
        await this.d.db.query(
          "UPDATE instance_hosts SET state = 'running', server_type = $2, location = $3, operation = NULL, updated_at = now() WHERE instance_id = $1",
          [row.instanceId, row.serverType, row.location],
        );
        if (row.kind === 'resume' && /^\d+$/.test(row.image)) {
          // The snapshot it came back from is no longer needed (and costs per GB).
          await hz.deleteImage(Number(row.image)).catch(() => {});
          await this.d.db.query('UPDATE instance_hosts SET snapshot_id = NULL WHERE instance_id = $1', [
            row.instanceId,
          ]);
        }
        return 'the agent is live';
    }
  }

  /** The Tailscale-only firewall every client server is behind (made once). */
  async ensureFirewall(hz: HetznerClient): Promise<number> {
    if (this.firewallId !== null) return this.firewallId;
    const existing = await hz.firewalls(FIREWALL_LABEL);
    if (existing[0]) {
      this.firewallId = existing[0].id;
      return existing[0].id;
    }
    try {
      const fw = await hz.createFirewall('deepsignal-clients', CLIENT_FIREWALL_RULES, {
        'deepsignal/role': 'client-firewall',
      });
      this.firewallId = fw.id;
    } catch (e) {
      if (!(e instanceof HetznerError && e.code === 'uniqueness_error')) throw e;
      const again = await hz.firewalls(FIREWALL_LABEL);
      if (!again[0]) throw e;
      this.firewallId = again[0].id;
    }
    return this.firewallId as number;
  }

  /** A new secret, a new tailnet key, the user data and the create call (or the server it made). */
  private async createServer(hz: HetznerClient, ts: TailscaleClient, row: DeploymentRow, _signal: AbortSignal) {
    const c = this.d.config;
    const secret = await issueInstanceSecret(this.d.db, row.instanceId);
    if (row.tailnetKeyId) await ts.deleteAuthKey(row.tailnetKeyId).catch(() => {});
    const key = await ts.createAuthKey({
      tags: c.tailscaleTags.split(','),
      expirySeconds: Math.min(24 * 3600, c.deployJoinTimeoutSec + 900),
      description: `deepsignal ${row.instanceId}`,
    });
    row.tailnetKeyId = key.id;
    await this.save(row);
    const onb = this.d.onboarding();
    const desired = onb ? (await onb.get(row.clientId))?.desired : undefined;
    const userData = await this.userDataFor({
      hostname: row.serverName,
      tailscaleAuthKey: key.key,
      instanceId: row.instanceId,
      secret,
      desired,
    });
    try {
      return await hz.createServer({
        name: row.serverName,
        server_type: row.serverType,
        location: row.location,
        image: /^\d+$/.test(row.image) ? Number(row.image) : row.image,
        user_data: userData,
        labels: { [LABEL.deployment]: row.id, [LABEL.instance]: row.instanceId, [LABEL.client]: row.clientId },
        firewalls: this.firewallId !== null ? [{ firewall: this.firewallId }] : [],
        ssh_keys: c.hetznerSshKeys ? c.hetznerSshKeys.split(',').map((s) => s.trim()) : undefined,
        start_after_create: true,
        public_net: { enable_ipv4: true, enable_ipv6: true },
      });
    } catch (e) {
      // No answer, or the name is taken: the server may exist after all; its label says whose it is.
      if (e instanceof HetznerError && (e.network || e.code === 'uniqueness_error')) {
        const found = await hz.listServers(`${LABEL.deployment}=${row.id}`);
        if (found[0]) return { server: found[0], action: null };
      }
      throw e;
    }
  }

  /**
   * A server's user data: the sidecar's settings, the tailnet key, and OpenClaw's config from
   * onboarding's desired state (a pool server gets none: the first config.apply brings it).
   */
  async userDataFor(o: {
    hostname: string;
    tailscaleAuthKey: string;
    instanceId: string;
    secret: string;
    desired?: { model?: string; personality?: { name: string; tone: string; emoji: string; avatar?: string } };
    pool?: boolean;
  }): Promise<string> {
    const c = this.d.config;
    const p = o.desired?.personality;
    const [bundle, installer] = [await this.artifacts.sidecarBundle(), this.artifacts.installer()];
    return buildUserData({
      hostname: o.hostname,
      tailscaleAuthKey: o.tailscaleAuthKey,
      sidecar: { hub: this.d.mqttUrl(), instanceId: o.instanceId, secret: o.secret, hubKey: this.d.hubPublicKey },
      hubHttpUrl: this.hubHttpUrl(),
      bundleSha256: bundle.sha256,
      installerSha256: installer.sha256,
      openclawVersion: c.deployOpenclawVersion,
      nodeMajor: 24,
      openclawConfig: openclawConfigFor({
        gatewayToken: randomBytes(24).toString('base64url'),
        model: o.desired?.model,
        identity: p
          ? { name: p.name, theme: p.tone, emoji: p.emoji, ...(p.avatar ? { avatar: p.avatar } : {}) }
          : undefined,
      }),
      pool: o.pool,
    });
  }

  private async adopt(row: DeploymentRow, s: HServer, action: HAction | null) {
    row.serverId = s.id;
    row.actionId = action?.id ?? row.actionId;
    row.ipv4 = s.public_net.ipv4?.ip ?? null;
    row.monthlyPrice = monthlyPrice(s.server_type, row.location);
    await this.save(row);
    await this.upsertHost(row, s.location.country);
  }

  private async upsertHost(row: DeploymentRow, country?: string) {
    await this.d.db.query(
      `INSERT INTO instance_hosts (instance_id, provider, server_id, server_name, server_type, location, country, ipv4,
         tailnet_ip, tailnet_name, tailnet_device_id, monthly_price, state, deployment_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'provisioning',$13)
       ON CONFLICT (instance_id) DO UPDATE SET server_id = EXCLUDED.server_id, ipv4 = EXCLUDED.ipv4,
         server_type = EXCLUDED.server_type, server_name = EXCLUDED.server_name, location = EXCLUDED.location, deployment_id = EXCLUDED.deployment_id,
         country = COALESCE(EXCLUDED.country, instance_hosts.country), tailnet_ip = EXCLUDED.tailnet_ip,
         tailnet_name = EXCLUDED.tailnet_name, tailnet_device_id = EXCLUDED.tailnet_device_id,
         monthly_price = EXCLUDED.monthly_price, updated_at = now()`,
      [
        row.instanceId,
        row.provider,
        row.serverId,
        row.serverName,
        row.serverType,
        row.location,
        country ?? null,
        row.ipv4,
        row.tailnetIp,
        row.tailnetName,
        row.tailnetDeviceId,
        row.monthlyPrice,
        row.id,
      ],
    );
  }

  /** Removes what a deployment made; says per resource what happened. Never throws. */
  private async cleanup(row: DeploymentRow): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const never = new AbortController().signal;
    const hz = this.hetzner;
    const ts = this.tailscale;
    if (hz) {
      try {
        const ids = new Set<number>(row.serverId !== null ? [row.serverId] : []);
        for (const s of await this.retrying(() => hz.listServers(`${LABEL.deployment}=${row.id}`), never))
          ids.add(s.id);
        for (const id of ids) await this.retrying(() => hz.deleteServer(id), never);
        out.server = ids.size ? `deleted ${[...ids].join(', ')}` : 'none was made';
      } catch (e) {
        out.server = `not deleted: ${describe(e).message}`;
      }
    }
    if (ts) {
      try {
        if (row.tailnetKeyId) await ts.deleteAuthKey(row.tailnetKeyId);
        out.tailnetKey = row.tailnetKeyId ? 'revoked' : 'none left';
        row.tailnetKeyId = null;
      } catch (e) {
        out.tailnetKey = `not revoked: ${describe(e).message}`;
      }
      try {
        const dev = row.tailnetDeviceId ?? (await ts.deviceByHostname(row.serverName))?.id ?? null;
        if (dev) await ts.deleteDevice(dev);
        out.tailnetDevice = dev ? `deleted ${dev}` : 'none joined';
      } catch (e) {
        out.tailnetDevice = `not deleted: ${describe(e).message}`;
      }
    }
    if (row.kind === 'replace') {
      // The instance stays; the replacement (deploy/replace.ts) puts its old server back on record.
      out.instance = 'kept';
      return out;
    }
    if (row.kind === 'resume') {
      // The instance and its snapshot stay: it is paused again and can be resumed once more.
      await this.d.db
        .query(
          "UPDATE instance_hosts SET state = 'paused', server_id = NULL, ipv4 = NULL, tailnet_ip = NULL, tailnet_device_id = NULL, updated_at = now() WHERE instance_id = $1",
          [row.instanceId],
        )
        .catch(() => {});
      out.instance = 'kept, paused (its snapshot stays)';
      return out;
    }
    try {
      await deleteInstanceRecord(this.d.db, this.d.fleet, row.instanceId, `deployment:${row.id}`, 'instance.delete');
      out.instance = 'record removed';
    } catch (e) {
      out.instance = `not removed: ${(e as Error).message}`;
    }
    return out;
  }

  /**
   * Releases an instance: its server is deleted at Hetzner, its tailnet device removed, its
   * credentials revoked with the instance record (telemetry stays as retention says).
   */
  async release(instanceId: string, actor: string): Promise<Record<string, string>> {
    const active = await this.d.db.query<{ id: string }>(
      `SELECT id FROM deployments WHERE instance_id = $1 AND status NOT IN ('live','failed','canceled')`,
      [instanceId],
    );
    if (active[0]) {
      await this.cancel(active[0].id);
      await this.settled(active[0].id);
      return { deployment: `canceled ${active[0].id}` };
    }
    const host = (
      await this.d.db.query<{
        server_id: string | null;
        server_name: string;
        tailnet_device_id: string | null;
        snapshot_id: string | null;
      }>('SELECT server_id, server_name, tailnet_device_id, snapshot_id FROM instance_hosts WHERE instance_id = $1', [
        instanceId,
      ])
    )[0];
    const out: Record<string, string> = {};
    const never = new AbortController().signal;
    if (host && this.hetzner) {
      const hz = this.hetzner;
      const ids = new Set<number>(host.server_id ? [Number(host.server_id)] : []);
      for (const s of await this.retrying(() => hz.listServers(`${LABEL.instance}=${instanceId}`), never))
        ids.add(s.id);
      for (const id of ids) await this.retrying(() => hz.deleteServer(id), never);
      if (host.snapshot_id) await this.retrying(() => hz.deleteImage(Number(host.snapshot_id)), never);
      out.server = ids.size ? `deleted ${[...ids].join(', ')}` : 'none';
    }
    if (host && this.tailscale) {
      const ts = this.tailscale;
      const dev = host.tailnet_device_id ?? (await ts.deviceByHostname(host.server_name))?.id ?? null;
      if (dev) await ts.deleteDevice(dev);
      out.tailnetDevice = dev ? `deleted ${dev}` : 'none';
    }
    await deleteInstanceRecord(this.d.db, this.d.fleet, instanceId, actor, 'instance.release');
    out.instance = 'released; credentials revoked';
    return out;
  }
}

const SKIPPED = Symbol('skipped');

/** This hub no longer holds the deployment's lease: another hub runs it now. */
class LeaseLost extends Error {
  constructor(id: string) {
    super(`deployment ${id} is run by another hub now`);
  }
}
