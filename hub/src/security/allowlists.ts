import type { Db } from '../db/index.js';

const TTL_MS = 10_000;

/**
 * IP allowlists: one per client (for its users) and one for admin-side callers (admin, support,
 * service), the latter from DS_ADMIN_IP_ALLOWLIST plus what an admin set through the API.
 * Cached for 10 s so several hubs converge quickly; this hub's own writes take effect at once.
 */
export class Allowlists {
  private readonly cache = new Map<string, { at: number; list: string[] }>();

  constructor(
    private readonly db: Db,
    private readonly adminFromConfig: string[],
  ) {}

  private async cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.list;
    const list = await load();
    this.cache.set(key, { at: Date.now(), list });
    return list;
  }

  /** The admin-side list set through the API (without the configured part). */
  async adminStored(): Promise<string[]> {
    const rows = await this.db.query<{ value: string[] }>(
      "SELECT value FROM hub_settings WHERE key = 'admin_ip_allowlist'",
    );
    return rows[0]?.value ?? [];
  }

  async admin(): Promise<string[]> {
    return this.cached('admin', async () => [...this.adminFromConfig, ...(await this.adminStored())]);
  }

  async client(clientId: string): Promise<string[]> {
    return this.cached(`client:${clientId}`, async () => {
      const rows = await this.db.query<{ ip_allowlist: string[] }>(
        'SELECT ip_allowlist FROM client_settings WHERE client_id = $1',
        [clientId],
      );
      return rows[0]?.ip_allowlist ?? [];
    });
  }

  async setAdmin(list: string[]): Promise<void> {
    await this.db.query(
      `INSERT INTO hub_settings (key, value, updated_at) VALUES ('admin_ip_allowlist', $1, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [JSON.stringify(list)],
    );
    this.cache.delete('admin');
  }

  invalidate(clientId: string): void {
    this.cache.delete(`client:${clientId}`);
  }

  /** Whether the configured part alone has entries (then it cannot be emptied through the API). */
  get configured(): readonly string[] {
    return this.adminFromConfig;
  }
}
