import type { Logger } from 'pino';
import { hashSecret } from '../auth/password.js';
import { mosquittoHash } from '../broker/mosquitto.js';
import { monthlyPrice } from '../cloud/hetzner/client.js';
import { HetznerError } from '../cloud/hetzner/errors.js';
import { TailscaleError } from '../cloud/tailscale/client.js';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { newId, newSecret } from '../util/ids.js';
import type { DeploymentService } from './service.js';

/** Labels on pool servers: the slot id finds a slot's server again after a hub restart. */
export const POOL_LABEL = { role: 'deepsignal/role', slot: 'deepsignal/pool-slot' };
const POOL_ROLE = 'warm-pool';

export type PoolState = 'creating' | 'booting' | 'joining' | 'ready' | 'taken' | 'retiring';

export interface PoolRow {
  id: string;
  location: string;
  serverType: string;
  image: string;
  openclawVersion: string;
  sidecarSha256: string;
  state: PoolState;
  instanceId: string;
  serverName: string;
  serverId: number | null;
  actionId: number | null;
  ipv4: string | null;
  tailnetKeyId: string | null;
  tailnetDeviceId: string | null;
  tailnetIp: string | null;
  tailnetName: string | null;
  monthlyPrice: number | null;
  deploymentId: string | null;
  error: string | null;
  createdAt: string;
  readyAt: string | null;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
export const toPoolRow = (r: Record<string, unknown>): PoolRow => ({
  id: String(r.id),
  location: String(r.location),
  serverType: String(r.server_type),
  image: String(r.image),
  openclawVersion: String(r.openclaw_version),
  sidecarSha256: String(r.sidecar_sha256),
  state: r.state as PoolState,
  instanceId: String(r.instance_id),
  serverName: String(r.server_name),
  serverId: r.server_id === null ? null : Number(r.server_id),
  actionId: r.action_id === null ? null : Number(r.action_id),
  ipv4: (r.ipv4 as string) ?? null,
  tailnetKeyId: (r.tailnet_key_id as string) ?? null,
  tailnetDeviceId: (r.tailnet_device_id as string) ?? null,
  tailnetIp: (r.tailnet_ip as string) ?? null,
  tailnetName: (r.tailnet_name as string) ?? null,
  monthlyPrice: r.monthly_price === null ? null : Number(r.monthly_price),
  deploymentId: (r.deployment_id as string) ?? null,
  error: (r.error as string) ?? null,
  createdAt: iso(r.created_at) as string,
  readyAt: iso(r.ready_at),
});

/** `fsn1:2,nbg1:1` as locations with the number of servers to keep there (a location once). */
export function parseWarmPool(s: string): { location: string; count: number }[] {
  const out = new Map<string, number>();
  for (const part of s.split(',').map((x) => x.trim())) {
    if (!part) continue;
    const [location, n] = part.split(':');
    out.set(location, Number(n));
  }
  return [...out].map(([location, count]) => ({ location, count }));
}

const words = (e: unknown) =>
  e instanceof HetznerError ? e.describe() : e instanceof TailscaleError ? e.describe() : (e as Error).message;

/**
 * The warm pool: N pre-booted servers per location (DS_WARM_POOL), made from the prepared
 * snapshot (DS_WARM_POOL_IMAGE), so a deploy takes one and is live in seconds instead of
 * waiting for a server to be created, booted and installed. Each slot is a row written before
 * its server is made, and the server carries the slot id as a label: a hub restart finds it
 * again instead of making a second one. A slot whose image, OpenClaw version or server type no
 * longer is what the settings pin is replaced (its server deleted, a new one made); a take
 * starts the refill at once.
 *
 * What a pool server holds before it is taken: the tailnet join (its own single-use key, spent
 * and revoked once it joined) and a sidecar.json with the instance id and secret it will have.
 * No client's config and no instance: the hub keeps only the secret's hashes on the slot, and
 * the instance (with those credentials) is made when a deploy takes it, so its sidecar cannot
 * log in before that; it retries every few seconds and is connected moments after the take.
 */
export class WarmPool {
  private ticking: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private swept = false;

  constructor(
    private readonly d: { db: Db; config: HubConfig; log: Logger },
    private readonly deployments: DeploymentService,
  ) {}

  /** What the settings ask of pool servers now. */
  pinned() {
    const c = this.d.config;
    return {
      targets: parseWarmPool(c.warmPool),
      image: c.warmPoolImage ?? c.hetznerImage,
      serverType: c.warmPoolServerType ?? c.deployServerType,
      openclawVersion: c.deployOpenclawVersion,
    };
  }

  start() {
    if (this.timer || this.deployments.unavailableReason()) return;
    // Each tick costs a Hetzner request per server still booting (3,600 an hour per project).
    this.timer = setInterval(() => this.kick(), Math.max(500, this.d.config.deployPollMs * 5));
    this.timer.unref();
    this.kick();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /**
   * Runs a pass now (after a take: the refill starts at once); passes never overlap. Only where the
   * pool runs (the hub holding the fleet-wide jobs' lease): another hub's take is refilled on the
   * holder's next pass, and two hubs never make the same missing server twice.
   */
  kick() {
    if (!this.timer) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((e) => this.d.log.warn({ err: e }, 'warm pool pass failed'))
      .finally(() => {
        this.ticking = null;
        if (this.again && this.timer) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits for the pass that is running (tests). */
  async idle() {
    while (this.ticking) await this.ticking;
  }

  async list(): Promise<PoolRow[]> {
    const r = await this.d.db.query("SELECT * FROM pool_servers WHERE state <> 'taken' ORDER BY location, created_at");
    return r.map(toPoolRow);
  }

  /** The API's view: per location what is wanted, what is there, and what it costs a month. */
  async view() {
    const p = this.pinned();
    const rows = await this.list();
    const locations = [...new Set([...p.targets.map((t) => t.location), ...rows.map((r) => r.location)])];
    return {
      image: p.image,
      serverType: p.serverType,
      openclawVersion: p.openclawVersion,
      locations: locations.map((location) => {
        const here = rows.filter((r) => r.location === location);
        return {
          location,
          wanted: p.targets.find((t) => t.location === location)?.count ?? 0,
          ready: here.filter((r) => r.state === 'ready').length,
          monthlyCost: Math.round(here.reduce((sum, r) => sum + (r.monthlyPrice ?? 0), 0) * 100) / 100,
          servers: here.map((r) => ({
            id: r.id,
            state: r.state,
            serverId: r.serverId,
            serverName: r.serverName,
            serverType: r.serverType,
            image: r.image,
            openclawVersion: r.openclawVersion,
            ipv4: r.ipv4,
            tailnetIp: r.tailnetIp,
            monthlyPrice: r.monthlyPrice,
            error: r.error,
            createdAt: r.createdAt,
            readyAt: r.readyAt,
          })),
        };
      }),
    };
  }

  private async tick() {
    // The sidecar a new server gets is the one of the code this hub runs: a new one refreshes too.
    const p = { ...this.pinned(), sidecarSha256: (await this.deployments.artifacts.sidecarBundle()).sha256 };
    const db = this.d.db;
    if (!this.swept) {
      await this.sweepOrphans();
      this.swept = true;
    }
    // Slots whose deployment has ended are history: the deployment row tells the rest.
    await db.query(
      `DELETE FROM pool_servers s USING deployments d WHERE s.state = 'taken' AND d.id = s.deployment_id
         AND d.status IN ('live','failed','canceled')`,
    );
    const rows = await this.list();
    const keep: PoolRow[] = [];
    for (const r of rows) {
      const want = p.targets.find((t) => t.location === r.location)?.count ?? 0;
      const kept = keep.filter((k) => k.location === r.location).length;
      const stale =
        r.state === 'retiring' ||
        r.image !== p.image ||
        r.openclawVersion !== p.openclawVersion ||
        r.sidecarSha256 !== p.sidecarSha256 ||
        r.serverType !== p.serverType;
      if (stale || kept >= want)
        await this.retire(
          r,
          stale ? 'the pinned image, OpenClaw version, sidecar or server type changed' : 'not wanted',
        );
      else keep.push(r);
    }
    for (const r of keep) if (r.state !== 'ready') await this.advance(r);
    for (const t of p.targets) {
      const have = keep.filter((k) => k.location === t.location).length;
      for (let i = have; i < t.count; i++) {
        const r = await this.newSlot(t.location, p);
        await this.advance(r);
      }
    }
  }

  private async newSlot(
    location: string,
    p: ReturnType<WarmPool['pinned']> & { sidecarSha256: string },
  ): Promise<PoolRow> {
    const id = newId('pool');
    const instanceId = newId('inst');
    const r = await this.d.db.query(
      `INSERT INTO pool_servers (id, location, server_type, image, openclaw_version, sidecar_sha256, state, instance_id,
         server_name)
       VALUES ($1,$2,$3,$4,$5,$6,'creating',$7,$8) RETURNING *`,
      [id, location, p.serverType, p.image, p.openclawVersion, p.sidecarSha256, instanceId, `ds-${instanceId}`],
    );
    return toPoolRow(r[0]);
  }

  private async set(id: string, fields: Record<string, unknown>) {
    const keys = Object.keys(fields);
    await this.d.db.query(
      `UPDATE pool_servers SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
      [id, ...keys.map((k) => fields[k])],
    );
  }

  /** One step of a slot that is not ready yet; each is safe to run again. */
  private async advance(r: PoolRow) {
    const hz = this.deployments.hetzner;
    const ts = this.deployments.tailscale;
    if (!hz || !ts) return;
    const c = this.d.config;
    try {
      if (r.state === 'creating') {
        const found = await hz.listServers(`${POOL_LABEL.slot}=${r.id}`);
        let serverId = found[0]?.id ?? null;
        let actionId: number | null = null;
        let price = found[0] ? monthlyPrice(found[0].server_type, r.location) : null;
        if (!found[0]) {
          const fw = await this.deployments.ensureFirewall(hz);
          const secret = newSecret();
          if (r.tailnetKeyId) await ts.deleteAuthKey(r.tailnetKeyId).catch(() => {});
          const key = await ts.createAuthKey({
            tags: c.tailscaleTags.split(','),
            expirySeconds: Math.min(24 * 3600, c.deployJoinTimeoutSec + 900),
            description: `deepsignal pool ${r.id}`,
          });
          await this.set(r.id, {
            tailnet_key_id: key.id,
            secret_hash: await hashSecret(secret),
            mosquitto_hash: mosquittoHash(secret),
          });
          const userData = await this.deployments.userDataFor({
            hostname: r.serverName,
            tailscaleAuthKey: key.key,
            instanceId: r.instanceId,
            secret,
            pool: true,
          });
          const made = await hz
            .createServer({
              name: r.serverName,
              server_type: r.serverType,
              location: r.location,
              image: /^\d+$/.test(r.image) ? Number(r.image) : r.image,
              user_data: userData,
              labels: { [POOL_LABEL.role]: POOL_ROLE, [POOL_LABEL.slot]: r.id },
              firewalls: [{ firewall: fw }],
              ssh_keys: c.hetznerSshKeys ? c.hetznerSshKeys.split(',').map((s) => s.trim()) : undefined,
              start_after_create: true,
              public_net: { enable_ipv4: true, enable_ipv6: true },
            })
            .catch(async (e) => {
              // No answer, or the name is taken: the server may exist after all; its label says whose.
              if (!(e instanceof HetznerError && (e.network || e.code === 'uniqueness_error'))) throw e;
              const again = await hz.listServers(`${POOL_LABEL.slot}=${r.id}`);
              if (!again[0]) throw e;
              return { server: again[0], action: null };
            });
          serverId = made.server.id;
          actionId = made.action?.id ?? null;
          price = monthlyPrice(made.server.server_type, r.location);
        }
        await this.set(r.id, {
          state: 'booting',
          server_id: serverId,
          action_id: actionId,
          monthly_price: price,
          error: null,
        });
        return;
      }
      if (r.state === 'booting') {
        const s = r.serverId !== null ? await hz.getServer(r.serverId) : null;
        if (!s) return await this.retire(r, `Hetzner: server ${r.serverId} no longer exists`);
        if (s.status === 'running')
          await this.set(r.id, { state: 'joining', ipv4: s.public_net.ipv4?.ip ?? null, error: null });
        return;
      }
      if (r.state === 'joining') {
        const dev = await ts.deviceByHostname(r.serverName);
        if (!dev) {
          if (Date.now() - Date.parse(r.createdAt) > c.deployJoinTimeoutSec * 1000)
            await this.retire(r, `the server did not join the tailnet within ${c.deployJoinTimeoutSec} s`);
          return;
        }
        if (r.tailnetKeyId) await ts.deleteAuthKey(r.tailnetKeyId).catch(() => {});
        await this.set(r.id, {
          state: 'ready',
          tailnet_key_id: null,
          tailnet_device_id: dev.id,
          tailnet_name: dev.name,
          tailnet_ip: dev.addresses.find((a) => a.includes('.')) ?? dev.addresses[0] ?? null,
          ready_at: new Date(),
          error: null,
        });
        this.d.log.info({ slot: r.id, location: r.location, server: r.serverId }, 'warm pool server ready');
      }
    } catch (e) {
      // Kept as is and tried again next pass (a refused create, e.g. a type sold out, says why).
      await this.set(r.id, { error: words(e) }).catch(() => {});
      this.d.log.warn({ slot: r.id, err: words(e) }, 'warm pool: filling a slot failed');
    }
  }

  /** Deletes a slot's server, tailnet device and key, then the slot. */
  private async retire(r: PoolRow, why: string) {
    const hz = this.deployments.hetzner;
    const ts = this.deployments.tailscale;
    await this.set(r.id, { state: 'retiring', error: why });
    try {
      if (hz) {
        const ids = new Set<number>(r.serverId !== null ? [r.serverId] : []);
        for (const s of await hz.listServers(`${POOL_LABEL.slot}=${r.id}`)) ids.add(s.id);
        for (const id of ids) await hz.deleteServer(id);
      }
      if (ts) {
        if (r.tailnetKeyId) await ts.deleteAuthKey(r.tailnetKeyId).catch(() => {});
        const dev = r.tailnetDeviceId ?? (await ts.deviceByHostname(r.serverName))?.id ?? null;
        if (dev) await ts.deleteDevice(dev);
      }
      await this.d.db.query("DELETE FROM pool_servers WHERE id = $1 AND state = 'retiring'", [r.id]);
      this.d.log.info({ slot: r.id, location: r.location, why }, 'warm pool server retired');
    } catch (e) {
      // Stays `retiring`: the next pass tries again.
      await this.set(r.id, { error: `${why}; not removed yet: ${words(e)}` }).catch(() => {});
    }
  }

  /** Pool servers whose slot is gone (a hub that died between deleting the row and the server). */
  private async sweepOrphans() {
    const hz = this.deployments.hetzner;
    if (!hz) return;
    const servers = await hz.listServers(`${POOL_LABEL.role}=${POOL_ROLE}`);
    if (!servers.length) return;
    const known = new Set(
      (await this.d.db.query<{ id: string }>('SELECT id FROM pool_servers')).map((x) => String(x.id)),
    );
    for (const s of servers) {
      const slot = s.labels[POOL_LABEL.slot];
      if (slot && known.has(slot)) continue;
      this.d.log.warn({ server: s.id }, 'warm pool: deleting a pool server without a slot');
      await hz.deleteServer(s.id);
    }
  }

  /**
   * Takes a ready server in `location` of `serverType` for deployment `deploymentId`, inside the
   * transaction that writes the deployment (so a slot goes to exactly one deployment).
   */
  static async take(
    q: Pick<Db, 'query'>,
    o: { deploymentId: string; location: string; serverType: string; image: string },
  ): Promise<PoolRow | null> {
    const r = await q.query(
      `UPDATE pool_servers SET state = 'taken', deployment_id = $1, updated_at = now()
       WHERE id = (SELECT id FROM pool_servers WHERE state = 'ready' AND location = $2 AND server_type = $3 AND image = $4
                   ORDER BY ready_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [o.deploymentId, o.location, o.serverType, o.image],
    );
    return r[0] ? toPoolRow(r[0]) : null;
  }
}
