import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lease } from '../src/cluster/lease.js';
import { type Db, openPostgres } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from './helpers/pg.js';
import { until } from './helpers/sidecar-proc.js';

/**
 * The lease several hubs share on one PostgreSQL: one holder at a time, handed over at once when
 * the holder stops, after its lifetime when the holder dies without a word, and back to a
 * restarted hub of the same name at once.
 */
const ready = await pgAvailable();
const schema = uniqueSchema('lease');
const log = pino({ level: 'silent' });
let dbs: Db[] = [];

beforeAll(async () => {
  if (!ready) return;
  // Two connections, as two hubs have.
  dbs = [await openPostgres(PG_URL, schema), await openPostgres(PG_URL, schema)];
  await migrate(dbs[0]);
});
afterAll(async () => {
  for (const d of dbs) await d.close();
  if (ready) await dropSchema(schema);
});

/** A lease of hub `holder` on connection `i`, recording when its work runs. */
function hub(i: number, holder: string, name: string, ttlMs = 1500) {
  const work = { running: false, starts: 0, stops: [] as boolean[] };
  const lease = new Lease({
    db: dbs[i],
    name,
    holder,
    log,
    ttlMs,
    renewMs: 300,
    onAcquire: () => {
      work.running = true;
      work.starts++;
    },
    onLose: (stopping) => {
      work.running = false;
      work.stops.push(stopping);
    },
  });
  return { lease, work };
}

describe.skipIf(!ready)('a lease shared by hubs on one database', () => {
  it('is held by one hub; a hub that stops hands it over at once', async () => {
    // A lifetime of a minute: taking over sooner than that is the hand-over, not the expiry.
    const a = hub(0, 'hub-a', 'jobs-1', 60_000);
    const b = hub(1, 'hub-b', 'jobs-1', 60_000);
    await a.lease.start();
    await b.lease.start();
    expect(a.lease.held).toBe(true);
    expect(b.lease.held).toBe(false);
    expect([a.work.running, b.work.running]).toEqual([true, false]);
    await a.lease.stop();
    expect(a.work.stops).toEqual([true]);
    // b's next try (every 300 ms) finds the lease given up, long before it would have expired.
    const stoppedAt = Date.now();
    await until(() => b.lease.held, 30_000, 'taken over after the holder stopped');
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    expect(b.work.starts).toBe(1);
    await b.lease.stop();
  });

  it('moves to another hub once a silent holder has let it expire, and never to two at once', async () => {
    const a = hub(0, 'hub-a', 'jobs-2');
    const b = hub(1, 'hub-b', 'jobs-2');
    await a.lease.start();
    await b.lease.start();
    expect(a.lease.held).toBe(true);
    // hub-a dies without a word: its renewals stop, its row stays until it expires.
    (a.lease as unknown as { stopped: boolean }).stopped = true;
    const seen: string[] = [];
    await until(
      async () => {
        const [r] = await dbs[1].query<{ holder: string }>('SELECT holder FROM hub_leases WHERE name = $1', ['jobs-2']);
        seen.push(r.holder);
        return b.lease.held;
      },
      10_000,
      'b holds the lease after it expired',
    );
    // Until then the row named hub-a: b never ran the work while a's lease was valid.
    expect(seen.slice(0, -1).every((h) => h === 'hub-a')).toBe(true);
    expect(b.work.starts).toBe(1);
    await b.lease.stop();
    await a.lease.stop();
  });

  it('goes back to a restarted hub of the same name at once', async () => {
    const first = hub(0, 'hub-a', 'jobs-3', 60_000);
    await first.lease.start();
    expect(first.lease.held).toBe(true);
    // Killed: no release; its lease would hold for a minute.
    (first.lease as unknown as { stopped: boolean }).stopped = true;
    const again = hub(1, 'hub-a', 'jobs-3', 60_000);
    await again.lease.start();
    expect(again.lease.held).toBe(true);
    const other = hub(0, 'hub-b', 'jobs-3', 60_000);
    await other.lease.start();
    expect(other.lease.held).toBe(false);
    await other.lease.stop();
    await again.lease.stop();
    await first.lease.stop();
  });
});
