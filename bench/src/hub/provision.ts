import { randomBytes, scryptSync } from 'node:crypto';
import { openDatabase } from '../../../hub/src/db/index.js';
import type { InstanceCreds } from '../load/lite-sidecar.js';

/** Where a hub keeps its data: PostgreSQL (url + schema) or PGlite (data dir). */
export interface HubStore {
  databaseUrl?: string;
  dbSchema: string;
  dataDir: string;
}

/**
 * The production scrypt cost (N=2^14) makes every MQTT login cost ~40 ms of CPU; thousands of
 * simulated instances would spend the benchmark logging in. Bench instances are stored with the
 * same hash format at N=2^8, which the hub verifies exactly as it verifies any other (it reads the
 * cost from the stored hash). Login cost at the production setting is measured separately
 * (`hub.logins_per_s`).
 */
const BENCH_N = 256;

function cheapHash(secret: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, 32, { N: BENCH_N, r: 8, p: 1 });
  return `scrypt$${BENCH_N}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Creates (before the hub starts, so its fleet cache loads them) a client and `count` instances
 * with their own secrets, through the hub's own migrations. Ids are `<prefix>-<n>`.
 */
export async function provisionInstances(store: HubStore, count: number, prefix = 'sim'): Promise<InstanceCreds[]> {
  const db = await openDatabase({ databaseUrl: store.databaseUrl, dataDir: store.dataDir, dbSchema: store.dbSchema });
  try {
    const clientId = `${prefix}-client`;
    await db.query(
      "INSERT INTO clients (id, name, industry, plan, status) VALUES ($1, $2, 'bench', 'starter', 'active') ON CONFLICT DO NOTHING",
      [clientId, `Simulated fleet ${prefix}`],
    );
    const out: InstanceCreds[] = [];
    for (let i = 0; i < count; i += 500) {
      const chunk: InstanceCreds[] = [];
      for (let j = i; j < Math.min(count, i + 500); j++)
        chunk.push({ id: `${prefix}-${j}`, secret: randomBytes(18).toString('base64url') });
      await db.tx(async (q) => {
        await q.bulkInsert(
          'instances',
          ['id', 'client_id', 'hostname'],
          chunk.map((c) => [c.id, clientId, `${c.id}.sim`]),
        );
        await q.bulkInsert(
          'instance_credentials',
          ['instance_id', 'secret_hash'],
          chunk.map((c) => [c.id, cheapHash(c.secret)]),
        );
      });
      out.push(...chunk);
    }
    return out;
  } finally {
    await db.close();
  }
}

/** Cost of one MQTT login at the production scrypt setting, for `hub.logins_per_s`. */
export { BENCH_N };
