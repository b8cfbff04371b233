import { randomBytes } from 'node:crypto';
import type { Db, Querier } from '../db/index.js';
import { open, seal } from './envelope.js';
import { addMasterKey, type MasterKey, type MasterKeyring } from './keyring.js';

/** A stored secret as listings show it: never its value. */
export interface SecretInfo {
  name: string;
  updatedAt: string;
}

/** Secret names: provider keys, channel tokens, SSO client secrets. */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type Q = Pick<Querier, 'query'>;
const dekAad = (clientId: string) => `dek:${clientId}`;
const kekAad = (clientId: string) => `kek:${clientId}`;
const secretAad = (clientId: string, name: string) => `secret:${clientId}:${name}`;

/**
 * Envelope encryption of client secrets. Every client has a random 256-bit data key (DEK); the DEK
 * is stored wrapped (AES-256-GCM) by the current master key, or by the client's own key-encryption
 * key when it supplied one (that KEK itself wrapped by the master key, so removing it makes the
 * client's secrets unreadable: crypto-shredding). Values are sealed with the DEK and bound to
 * (client, name). Plaintext lives only in memory, never in rows, logs or responses.
 */
export class SecretStore {
  private readonly deks = new Map<string, Buffer>();

  constructor(
    private readonly db: Db,
    readonly ring: MasterKeyring,
  ) {}

  private current(): MasterKey {
    return this.ring.keys[0];
  }

  private wrapMaster(data: Buffer, aad: string): string {
    const k = this.current();
    return `${k.id}:${seal(k.key, data, aad)}`;
  }

  private unwrapMaster(wrapped: string, aad: string): Buffer {
    const i = wrapped.indexOf(':');
    const k = this.ring.keys.find((m) => m.id === wrapped.slice(0, i));
    if (!k) throw new Error(`master key ${wrapped.slice(0, i)} is not loaded`);
    return open(k.key, wrapped.slice(i + 1), aad);
  }

  private wrapDek(clientId: string, dek: Buffer, clientKek: string | null): string {
    if (!clientKek) return `m:${this.wrapMaster(dek, dekAad(clientId))}`;
    const kek = this.unwrapMaster(clientKek, kekAad(clientId));
    return `c:${seal(kek, dek, dekAad(clientId))}`;
  }

  private unwrapDek(clientId: string, row: { wrapped_key: string; client_kek: string | null }): Buffer {
    const w = row.wrapped_key;
    if (w.startsWith('m:')) return this.unwrapMaster(w.slice(2), dekAad(clientId));
    if (!row.client_kek) throw new Error('client key-encryption key was removed; secrets are unreadable');
    return open(this.unwrapMaster(row.client_kek, kekAad(clientId)), w.slice(2), dekAad(clientId));
  }

  /**
   * Seals a hub-wide value (one that belongs to no client, e.g. a fleet channel's routing key) with
   * the current master key, bound to `aad`; the key id is part of the result, so values sealed
   * before a master key rotation still open while the old key is in the ring.
   */
  sealWithMaster(plaintext: string, aad: string): string {
    return this.wrapMaster(Buffer.from(plaintext), `hub:${aad}`);
  }

  /** Opens what sealWithMaster sealed; throws on a wrong binding, a missing key or tampering. */
  openWithMaster(sealed: string, aad: string): string {
    return this.unwrapMaster(sealed, `hub:${aad}`).toString();
  }

  /** The client's data key, created on first use. */
  async dataKey(clientId: string, q: Q = this.db): Promise<Buffer> {
    const cached = this.deks.get(clientId);
    if (cached) return cached;
    let rows = await q.query<{ wrapped_key: string; client_kek: string | null }>(
      'SELECT wrapped_key, client_kek FROM client_keys WHERE client_id = $1',
      [clientId],
    );
    if (!rows[0]) {
      await q.query('INSERT INTO client_keys (client_id, wrapped_key) VALUES ($1,$2) ON CONFLICT DO NOTHING', [
        clientId,
        this.wrapDek(clientId, randomBytes(32), null),
      ]);
      rows = await q.query('SELECT wrapped_key, client_kek FROM client_keys WHERE client_id = $1', [clientId]);
    }
    const dek = this.unwrapDek(clientId, rows[0]);
    this.deks.set(clientId, dek);
    return dek;
  }

  /** Seals a value with the client's key; a cached key another hub rotated away is re-read once. */
  async sealFor(clientId: string, plaintext: string, aad: string, q: Q = this.db): Promise<string> {
    return seal(await this.dataKey(clientId, q), plaintext, `${clientId}|${aad}`);
  }

  async openFor(clientId: string, sealed: string, aad: string, q: Q = this.db): Promise<string> {
    try {
      return open(await this.dataKey(clientId, q), sealed, `${clientId}|${aad}`).toString();
    } catch {
      this.deks.delete(clientId);
      return open(await this.dataKey(clientId, q), sealed, `${clientId}|${aad}`).toString();
    }
  }

  /** Stores (or replaces) a secret. */
  async put(clientId: string, name: string, value: string, actor: string, q: Q = this.db): Promise<void> {
    if (!SECRET_NAME.test(name)) throw new Error('bad secret name');
    const sealed = await this.sealFor(clientId, value, secretAad(clientId, name), q);
    await q.query(
      `INSERT INTO client_secrets (client_id, name, sealed, updated_by, updated_at) VALUES ($1,$2,$3,$4,now())
       ON CONFLICT (client_id, name) DO UPDATE SET sealed = EXCLUDED.sealed, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [clientId, name, sealed, actor],
    );
  }

  /** The plaintext of a secret, for server-side use only (e.g. building a config.apply command). */
  async get(clientId: string, name: string): Promise<string | null> {
    const rows = await this.db.query<{ sealed: string }>(
      'SELECT sealed FROM client_secrets WHERE client_id = $1 AND name = $2',
      [clientId, name],
    );
    return rows[0] ? this.openFor(clientId, rows[0].sealed, secretAad(clientId, name)) : null;
  }

  async list(clientId: string): Promise<SecretInfo[]> {
    const rows = await this.db.query<{ name: string; updated_at: string }>(
      'SELECT name, updated_at FROM client_secrets WHERE client_id = $1 ORDER BY name',
      [clientId],
    );
    return rows.map((r) => ({ name: r.name, updatedAt: new Date(r.updated_at).toISOString() }));
  }

  async delete(clientId: string, name: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM client_secrets WHERE client_id = $1 AND name = $2 RETURNING name', [
      clientId,
      name,
    ]);
    return rows.length > 0;
  }

  /**
   * A new data key for a client: every secret and sealed command param is re-sealed in one
   * transaction, so readers see either the old key with old rows or the new key with new rows.
   */
  async rotateClientKey(clientId: string, clientKek?: string | null): Promise<number> {
    const n = await this.db.tx(async (q) => {
      const old = await this.dataKey(clientId, q);
      const row = await q.query<{ client_kek: string | null }>(
        'SELECT client_kek FROM client_keys WHERE client_id = $1 FOR UPDATE',
        [clientId],
      );
      const kek = clientKek === undefined ? (row[0]?.client_kek ?? null) : clientKek;
      const fresh = randomBytes(32);
      let count = 0;
      const reseal = (sealed: string, aad: string) =>
        seal(fresh, open(old, sealed, `${clientId}|${aad}`), `${clientId}|${aad}`);
      const secrets = await q.query<{ name: string; sealed: string }>(
        'SELECT name, sealed FROM client_secrets WHERE client_id = $1',
        [clientId],
      );
      for (const s of secrets) {
        await q.query('UPDATE client_secrets SET sealed = $3 WHERE client_id = $1 AND name = $2', [
          clientId,
          s.name,
          reseal(s.sealed, secretAad(clientId, s.name)),
        ]);
        count++;
      }
      const cmds = await q.query<{ id: string; sealed_params: string }>(
        `SELECT c.id, c.sealed_params FROM commands c JOIN instances i ON i.id = c.instance_id
         WHERE i.client_id = $1 AND c.sealed_params IS NOT NULL`,
        [clientId],
      );
      for (const c of cmds) {
        await q.query('UPDATE commands SET sealed_params = $2 WHERE id = $1', [
          c.id,
          reseal(c.sealed_params, `cmd:${c.id}`),
        ]);
        count++;
      }
      await q.query(
        'UPDATE client_keys SET wrapped_key = $2, client_kek = $3, rotated_at = now() WHERE client_id = $1',
        [clientId, this.wrapDek(clientId, fresh, kek), kek],
      );
      this.deks.delete(clientId);
      return count;
    });
    this.deks.delete(clientId);
    return n;
  }

  /**
   * Sets (32 bytes) or removes (null) a client's own key-encryption key. Setting it re-wraps the
   * data key under it; removing it while the data key is wrapped by it shreds the client's secrets.
   */
  async setClientKek(clientId: string, kek: Buffer | null): Promise<void> {
    if (kek && kek.length !== 32) throw new Error('a key-encryption key is 32 bytes');
    await this.dataKey(clientId);
    if (kek) {
      const wrappedKek = this.wrapMaster(kek, kekAad(clientId));
      const dek = await this.dataKey(clientId);
      await this.db.query(
        'UPDATE client_keys SET wrapped_key = $2, client_kek = $3, rotated_at = now() WHERE client_id = $1',
        [clientId, this.wrapDek(clientId, dek, wrappedKek), wrappedKek],
      );
    } else {
      await this.db.query('UPDATE client_keys SET client_kek = NULL, rotated_at = now() WHERE client_id = $1', [
        clientId,
      ]);
      await this.db.query('DELETE FROM client_secrets WHERE client_id = $1', [clientId]);
      await this.db.query('DELETE FROM client_keys WHERE client_id = $1', [clientId]);
    }
    this.deks.delete(clientId);
  }

  /** Re-wraps every data key and client KEK under the newest master key; returns how many. */
  async rewrapAll(): Promise<number> {
    const rows = await this.db.query<{ client_id: string; wrapped_key: string; client_kek: string | null }>(
      'SELECT client_id, wrapped_key, client_kek FROM client_keys',
    );
    let n = 0;
    for (const r of rows) {
      const kek = r.client_kek
        ? this.wrapMaster(this.unwrapMaster(r.client_kek, kekAad(r.client_id)), kekAad(r.client_id))
        : null;
      const wrapped = r.wrapped_key.startsWith('m:')
        ? `m:${this.wrapMaster(this.unwrapDek(r.client_id, r), dekAad(r.client_id))}`
        : r.wrapped_key;
      await this.db.query('UPDATE client_keys SET wrapped_key = $2, client_kek = $3 WHERE client_id = $1', [
        r.client_id,
        wrapped,
        kek,
      ]);
      n++;
    }
    return n;
  }

  /** Generates a new master key (file-based keys only) and re-wraps everything under it, online. */
  async rotateMasterKey(): Promise<{ keyId: string; rewrapped: number }> {
    const k = addMasterKey(this.ring);
    return { keyId: k.id, rewrapped: await this.rewrapAll() };
  }

  /** Forgets cached data keys (after a client's data was deleted). */
  forget(clientId: string): void {
    this.deks.delete(clientId);
  }
}
