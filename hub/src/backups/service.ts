import { rmSync } from 'node:fs';
import { channelTopic, encodeMessage, PROTOCOL_VERSION, type TransferFrame } from '@deepsignal/protocol';
import type { Logger } from 'pino';
import type { BrokerLink } from '../broker/types.js';
import { audit } from '../commands/audit.js';
import type { CommandService, CommandView, Issuer } from '../commands/service.js';
import type { Db } from '../db/index.js';
import type { Fleet } from '../fleet/fleet.js';
import { newId } from '../util/ids.js';
import { FileReceiver, type Received } from './receiver.js';
import type { BackupStores } from './regions.js';
import { FileSender } from './sender.js';
import { type BackupStorage, StorageError } from './storage.js';

/** Largest archive the hub accepts. */
const MAX_BACKUP_BYTES = 10 * 1024 * 1024 * 1024;
/** Scheduled backups: one a day per online instance, kept this many days (the newest is always kept). */
export const BACKUP_INTERVAL_MS = 24 * 3600 * 1000;
export const BACKUP_RETENTION_DAYS = 14;

/** A backup as the API returns it. */
export interface BackupView {
  id: string;
  instanceId: string;
  status: string;
  size: number | null;
  sha256: string | null;
  files: number | null;
  scheduled: boolean;
  commandId: string | null;
  error: string | null;
  /** Where the archive is: its region key (null: the default store) and the store's address. */
  storage: { region: string | null; location: string };
  createdAt: string;
  completedAt: string | null;
}

const view = (r: Record<string, unknown>, stores: BackupStores): BackupView => ({
  id: String(r.id),
  instanceId: String(r.instance_id),
  status: String(r.status),
  size: r.size === null ? null : Number(r.size),
  sha256: (r.sha256 as string | null) ?? null,
  files: (r.files as number | null) ?? null,
  scheduled: Boolean(r.scheduled),
  commandId: (r.command_id as string | null) ?? null,
  error: (r.error as string | null) ?? null,
  storage: {
    region: (r.storage_region as string | null) ?? null,
    location: stores.store((r.storage_region as string | null) ?? null).location,
  },
  createdAt: new Date(r.created_at as string).toISOString(),
  completedAt: r.completed_at ? new Date(r.completed_at as string).toISOString() : null,
});

/**
 * Backups of OpenClaw state: `backup.create` makes the sidecar stream an archive on
 * `transfer/<backupId>/out`, stored with size and checksum; `backup.restore` streams a stored
 * archive to the same or another instance on `transfer/<id>/in` once the sidecar runs the command.
 * [SPEC 7.2] A daily schedule backs up every online instance and prunes by retention.
 */
export class BackupService {
  private readonly receivers = new Map<string, { instanceId: string; r: FileReceiver }>();
  private readonly senders = new Map<string, { instanceId: string; s: FileSender | null; start: () => void }>();

  constructor(
    private readonly db: Db,
    private readonly fleet: Fleet,
    private readonly commands: CommandService,
    private readonly broker: () => BrokerLink | null,
    readonly stores: BackupStores,
    private readonly log: Logger,
  ) {
    commands.onChange((v) => this.onCommand(v));
  }

  /** The default store (backups of clients outside every configured region). */
  get storage(): BackupStorage {
    return this.stores.fallback;
  }

  /**
   * The region a new backup of this instance goes to: its client's chosen location, else where
   * its server is (null: no configured region matches, the default store).
   */
  async regionFor(instanceId: string, clientId: string | null): Promise<string | null> {
    if (this.stores.regions.size === 0) return null;
    const r = (
      await this.db.query<{ location: string | null; country: string | null }>(
        `SELECT COALESCE(c.location, h.location) AS location,
                CASE WHEN c.location IS NOT NULL THEN c.location_country ELSE h.country END AS country
           FROM (SELECT 1) one
           LEFT JOIN clients c ON c.id = $2
           LEFT JOIN instance_hosts h ON h.instance_id = $1`,
        [instanceId, clientId],
      )
    )[0];
    return this.stores.regionOf({ location: r?.location ?? null, country: r?.country ?? null });
  }

  private storeOf(row: Record<string, unknown>): BackupStorage {
    return this.stores.store((row.storage_region as string | null) ?? null);
  }

  private publish(instanceId: string, transferId: string, frame: Record<string, unknown>): Promise<void> {
    const b = this.broker();
    if (!b) return Promise.reject(new Error('broker not ready'));
    return b.publish(
      channelTopic(instanceId, 'transfer', transferId, 'in'),
      encodeMessage({ v: PROTOCOL_VERSION, ...frame }),
      { qos: 1 },
    );
  }

  /** Starts a backup of an instance. */
  async create(instanceId: string, issuer: Issuer, scheduled = false): Promise<BackupView> {
    const id = newId('bak');
    const clientId = this.fleet.get(instanceId)?.clientId ?? null;
    const region = await this.regionFor(instanceId, clientId);
    await this.db.query(
      `INSERT INTO backups (id, instance_id, client_id, status, scheduled, created_by, storage_region)
       VALUES ($1,$2,$3,'pending',$4,$5,$6)`,
      [id, instanceId, clientId, scheduled, issuer.userId, region],
    );
    const store = this.stores.store(region);
    const file = store.tempFile(`${id}.tar.gz.part`);
    const r = new FileReceiver(
      file,
      (seq) => void this.publish(instanceId, id, { type: 'ack', seq }).catch(() => {}),
      (res) => void this.received(id, instanceId, file, res, store),
      MAX_BACKUP_BYTES,
    );
    this.receivers.set(id, { instanceId, r });
    const { view: cmd } = await this.commands.create({
      instanceId,
      type: 'backup.create',
      params: { transferId: id },
      issuer,
    });
    await this.db.query('UPDATE backups SET command_id = $2 WHERE id = $1', [id, cmd.id]);
    await audit(this.db, `user:${issuer.userId}`, 'backup.create', id, clientId, {
      instanceId,
      commandId: cmd.id,
      scheduled,
    });
    return (await this.get(id)) as BackupView;
  }

  private async received(
    id: string,
    instanceId: string,
    file: string,
    res: Received,
    store: BackupStorage,
  ): Promise<void> {
    this.receivers.delete(id);
    if (!res.ok) {
      await this.fail(id, res.reason);
      return;
    }
    const key = `${instanceId}/${id}.tar.gz`;
    try {
      await store.put(key, file, { size: res.size, sha256: res.sha256 });
      await this.db.query(
        `UPDATE backups SET status = 'ready', size = $2, sha256 = $3, storage_key = $4, completed_at = now() WHERE id = $1`,
        [id, res.size, res.sha256, key],
      );
    } catch (e) {
      rmSync(file, { force: true });
      await this.fail(id, `store failed: ${(e as Error).message}`);
    }
  }

  private async fail(id: string, reason: string): Promise<void> {
    await this.db.query(
      "UPDATE backups SET status = 'failed', error = $2, completed_at = now() WHERE id = $1 AND status <> 'ready'",
      [id, reason.slice(0, 500)],
    );
    this.log.warn({ id, reason }, 'backup failed');
  }

  /** A transfer frame from a sidecar: backup chunks, or acks of a restore. */
  frame(instanceId: string, transferId: string, f: TransferFrame): void {
    const rec = this.receivers.get(transferId);
    if (rec && rec.instanceId === instanceId) {
      rec.r.frame(f);
      return;
    }
    const snd = this.senders.get(transferId);
    if (snd && snd.instanceId === instanceId && snd.s) {
      if (f.type === 'ack') snd.s.ack(f.seq);
      else if (f.type === 'abort') snd.s.abort(`the sidecar aborted: ${f.reason}`);
    }
  }

  /** Restores a stored backup onto an instance (the same or another one). */
  async restore(
    backupId: string,
    instanceId: string,
    issuer: Issuer,
  ): Promise<{ commandId: string; transferId: string }> {
    const b = (await this.db.query('SELECT * FROM backups WHERE id = $1', [backupId]))[0];
    if (b?.status !== 'ready') throw new Error('backup is not ready');
    const key = String(b.storage_key);
    const info = { size: Number(b.size), sha256: String(b.sha256) };
    const store = this.storeOf(b);
    const stored = await store.stat(key);
    if (!stored) throw new StorageError(`backup archive is missing from ${store.location}`, true);
    if (stored.size !== info.size)
      throw new StorageError(`the stored archive has ${stored.size} bytes, the backup ${info.size}`, true);
    const transferId = newId('xfr');
    const open = async () => {
      const got = await store.get(key);
      if (!got) throw new StorageError('backup archive is missing from storage', true);
      return got.stream;
    };
    const entry: { instanceId: string; s: FileSender | null; start: () => void } = {
      instanceId,
      s: null,
      start: () => {
        if (entry.s) return;
        entry.s = new FileSender(open, info, (frame) => this.publish(instanceId, transferId, frame));
        entry.s.run().then(
          () => this.senders.delete(transferId),
          (e) => {
            this.senders.delete(transferId);
            this.log.warn({ err: (e as Error).message, transferId }, 'restore transfer failed');
          },
        );
      },
    };
    this.senders.set(transferId, entry);
    const { view: cmd } = await this.commands.create({
      instanceId,
      type: 'backup.restore',
      params: { transferId, ...info },
      issuer,
    });
    await audit(
      this.db,
      `user:${issuer.userId}`,
      'backup.restore',
      backupId,
      this.fleet.get(instanceId)?.clientId ?? null,
      {
        backupId,
        instanceId,
        fromInstanceId: String(b.instance_id),
        commandId: cmd.id,
        transferId,
      },
    );
    return { commandId: cmd.id, transferId };
  }

  private onCommand(v: CommandView): void {
    // Matched by the command's own transferId: its first state changes can arrive before
    // commands.create() has returned to create()/restore().
    const kind = v.type === 'backup.create' ? 'create' : v.type === 'backup.restore' ? 'restore' : null;
    const id = v.params?.transferId;
    if (!kind || typeof id !== 'string') return;
    const ref = { kind, id };
    if (ref.kind === 'restore' && v.status === 'running') this.senders.get(ref.id)?.start();
    const final = ['succeeded', 'failed', 'rejected', 'timed_out', 'canceled'].includes(v.status);
    if (!final) return;
    if (ref.kind === 'create') {
      if (v.status === 'succeeded') {
        const files = (v.result as { files?: number } | null)?.files ?? null;
        void this.db.query('UPDATE backups SET files = $2 WHERE id = $1', [ref.id, files]);
      } else {
        this.receivers.get(ref.id)?.r.fail(`backup.create ${v.status}${v.error ? `: ${v.error.message}` : ''}`);
        void this.fail(ref.id, `backup.create ${v.status}${v.error ? `: ${v.error.message}` : ''}`);
      }
    } else if (v.status !== 'succeeded') this.senders.get(ref.id)?.s?.abort(`backup.restore ${v.status}`);
  }

  async get(id: string): Promise<BackupView | null> {
    const rows = await this.db.query('SELECT * FROM backups WHERE id = $1', [id]);
    return rows[0] ? view(rows[0], this.stores) : null;
  }

  async list(instanceId: string): Promise<BackupView[]> {
    const rows = await this.db.query(
      'SELECT * FROM backups WHERE instance_id = $1 ORDER BY created_at DESC LIMIT 200',
      [instanceId],
    );
    return rows.map((r) => view(r, this.stores));
  }

  /** The archive of a ready backup. */
  async download(id: string) {
    const b = (await this.db.query('SELECT * FROM backups WHERE id = $1', [id]))[0];
    if (b?.status !== 'ready') return null;
    return this.storeOf(b).get(String(b.storage_key));
  }

  /** Daily schedule: back up online instances whose last scheduled backup is a day old; prune old ones. */
  async tick(now = Date.now()): Promise<void> {
    const rows = await this.db.query<{ instance_id: string; last: string | null }>(
      `SELECT i.id AS instance_id, max(b.created_at) AS last FROM instances i
       LEFT JOIN backups b ON b.instance_id = i.id AND b.scheduled GROUP BY i.id`,
    );
    for (const r of rows) {
      const s = this.fleet.get(r.instance_id);
      if (s?.presence !== 'online' || s.status === 'offline') continue;
      if (r.last && now - new Date(r.last).getTime() < BACKUP_INTERVAL_MS) continue;
      await this.create(r.instance_id, { userId: 'system', email: 'system' }, true).catch((e) =>
        this.log.warn({ err: (e as Error).message, id: r.instance_id }, 'scheduled backup failed to start'),
      );
    }
    const old = await this.db.query<{ id: string; storage_key: string | null; storage_region: string | null }>(
      `SELECT b.id, b.storage_key, b.storage_region FROM backups b WHERE b.scheduled AND b.created_at < $1
       AND b.id <> (SELECT id FROM backups x WHERE x.instance_id = b.instance_id AND x.status = 'ready'
                    ORDER BY x.created_at DESC LIMIT 1)`,
      [new Date(now - BACKUP_RETENTION_DAYS * 86400_000)],
    );
    for (const b of old) {
      try {
        if (b.storage_key) await this.storeOf(b).delete(b.storage_key);
      } catch (e) {
        // Kept in the table, so the next run tries again.
        this.log.warn({ id: b.id, err: (e as Error).message }, 'expired backup could not be deleted');
        continue;
      }
      await this.db.query('DELETE FROM backups WHERE id = $1', [b.id]);
    }
  }
}
