/**
 * The sidecar process under kill -9 against the REAL hub (startTestHub: PGlite, embedded broker,
 * the hub's own dedupe in ingest/commit.ts): a tap between them records every message as sent,
 * replays included, and can swallow the hub's acks so committed data is sent again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../hub/test/helpers/hub.js';
import { type MqttTap, startMqttTap } from './helpers/mqtt-tap.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts');
let hub: TestHub;
let tap: MqttTap;
let inst: { id: string; secret: string; hubPublicKey: string };
const stateDir = mkdtempSync(path.join(tmpdir(), 'ds-kill9-'));
beforeAll(async () => {
  hub = await startTestHub();
  const broker = new URL(hub.mqttUrl);
  tap = await startMqttTap({ host: broker.hostname, port: Number(broker.port) });
  inst = (await hub.newInstance()) as unknown as typeof inst;
});
afterAll(async () => {
  await tap?.close();
  await hub?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Highest seq of a boot's metrics up to which the hub has committed everything (-1: nothing). */
async function committed(bootId: string): Promise<number> {
  const rows = await hub.db.query<{ contiguous: string | number }>(
    "SELECT contiguous FROM ingest_cursors WHERE instance_id = $1 AND boot_id = $2 AND stream = 'metrics'",
    [inst.id, bootId],
  );
  return rows[0] ? Number(rows[0].contiguous) : -1;
}
const metricsSent = (bootId?: string) =>
  tap.sent.filter((m) => m.kind === 'metrics' && (bootId === undefined || m.bootId === bootId));
const knownBoots = new Set<string>();

/**
 * Runs the sidecar CLI and sends `signal` once `enough` holds for the boot it announced in its
 * hello (not after a fixed time: on a loaded machine a start-up alone can take seconds).
 */
function runCli(
  signal: NodeJS.Signals,
  enough: (bootId: string, sinceHelloMs: number) => Promise<boolean>,
): Promise<string> {
  const env = {
    ...process.env,
    DS_HUB: tap.url,
    DS_INSTANCE_ID: inst.id,
    DS_INSTANCE_SECRET: inst.secret,
    DS_HUB_PUBLIC_KEY: inst.hubPublicKey,
    DS_STATE_DIR: stateDir,
    DS_OPENCLAW_URL: 'ws://127.0.0.1:9',
    DS_OPENCLAW_CONFIG: path.join(stateDir, 'no-openclaw.json'),
    DS_OPENCLAW_LOG_DIR: path.join(stateDir, 'no-logs'),
    DS_SAMPLE_INTERVAL_MS: '100',
    DS_BATCH_INTERVAL_MS: '150',
    DS_LOG_LEVEL: 'error',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    let boot: { id: string; at: number } | null = null;
    const started = Date.now();
    let exited = false;
    const poll = async () => {
      if (exited) return;
      if (!boot) {
        const hello = tap.sent.find((m) => m.kind === 'hello' && !knownBoots.has(m.bootId));
        if (hello) {
          boot = { id: hello.bootId, at: Date.now() };
          knownBoots.add(hello.bootId);
        }
      }
      if ((boot && (await enough(boot.id, Date.now() - boot.at))) || Date.now() - started > 60_000) {
        child.kill(boot ? signal : 'SIGKILL');
        return;
      }
      setTimeout(poll, 25);
    };
    void poll();
    child.on('exit', (code, sig) => {
      exited = true;
      if (!boot) reject(new Error(`the sidecar never said hello within 60 s: ${err}`));
      else if (sig === signal || code === 0) resolve(boot.id);
      else reject(new Error(`exit ${code} ${sig}: ${err}`));
    });
  });
}

describe('sidecar process under kill -9, against the real hub', () => {
  it('loses nothing and the hub stores nothing twice across kills and replays of committed data', async () => {
    // Killed in the middle of delivering: several batches committed, more on the way.
    const first = await runCli('SIGKILL', async (b) => (await committed(b)) >= 4);
    // The hub commits the next run's data but its acks never arrive: it all stays in the outbox.
    tap.dropAcks = true;
    const unacked = await runCli('SIGKILL', async (b) => (await committed(b)) >= 4);
    expect(tap.droppedAcks).toBeGreaterThan(0);
    tap.dropAcks = false;
    const sentBeforeReplay = metricsSent(unacked).length;
    // The outbox is replayed (already committed: duplicates for the hub), then this boot's own data.
    const last = await runCli('SIGTERM', async (b) => {
      const replayed = metricsSent(unacked).length > sentBeforeReplay;
      return replayed && (await committed(unacked)) >= 4 && (await committed(b)) >= 4;
    });
    expect(new Set([first, unacked, last]).size).toBe(3);

    // The duplicates were real: seqs of the unacknowledged boot went over the wire more than once.
    const sentTimes = new Map<string, number>();
    for (const m of metricsSent())
      sentTimes.set(`${m.bootId}/${m.seq}`, (sentTimes.get(`${m.bootId}/${m.seq}`) ?? 0) + 1);
    const resent = [...sentTimes].filter(([k, n]) => k.startsWith(`${unacked}/`) && n > 1);
    expect(resent.length).toBeGreaterThan(0);

    // Every sample of every (bootId, seq) that was sent is stored, exactly once. (Waits for the
    // hub to commit what the last run sent just before it stopped.)
    const perMessage = new Map<string, number[]>();
    for (const m of metricsSent())
      perMessage.set(
        `${m.bootId}/${m.seq}`,
        (m.message.samples as { t: number }[]).map((s) => s.t),
      );
    const stored = async () => {
      const rows = await hub.db.query<{ t: Date | string; n: string | number }>(
        'SELECT t, count(*) AS n FROM metric_samples WHERE instance_id = $1 GROUP BY t',
        [inst.id],
      );
      return new Map(rows.map((r) => [new Date(r.t).getTime(), Number(r.n)]));
    };
    const sentSamples = [...perMessage.values()].flat();
    await expect
      .poll(async () => {
        const have = await stored();
        return sentSamples.filter((t) => !have.has(t)).length;
      })
      .toBe(0);
    const storedTimes = await stored();
    for (const [key, times] of perMessage) {
      expect(times.length, key).toBeGreaterThan(0);
      for (const t of times) expect(storedTimes.get(t), `${key} sample ${t}`).toBe(1);
    }
    expect([...storedTimes.values()].filter((n) => n !== 1)).toEqual([]);
    expect(storedTimes.size).toBe(new Set(sentSamples).size);

    // Nothing lost in the middle [SPEC 3.1]: per boot, seqs 0..max were sent and committed, no gap recorded.
    for (const boot of [first, unacked, last]) {
      const seqs = [...new Set(metricsSent(boot).map((m) => m.seq))].sort((a, b) => a - b);
      expect(seqs[0]).toBe(0);
      expect(seqs[seqs.length - 1]).toBe(seqs.length - 1);
      // The hub acknowledges up to the cursor; the last sent seqs of a killed boot may still be in flight.
      expect(await committed(boot)).toBeGreaterThanOrEqual(4);
    }
    await expect.poll(() => committed(unacked)).toBe(Math.max(...metricsSent(unacked).map((m) => m.seq)));
    const gaps = await hub.db.query('SELECT 1 FROM ingest_gaps WHERE instance_id = $1', [inst.id]);
    expect(gaps).toEqual([]);
    await expect
      .poll(
        async () =>
          (await hub.db.query<{ presence: string }>('SELECT presence FROM instances WHERE id = $1', [inst.id]))[0]
            ?.presence,
      )
      .toBe('offline');
  }, 180_000);
});
