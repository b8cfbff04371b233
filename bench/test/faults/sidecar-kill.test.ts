import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEADLINE } from '../../../scripts/test/processes.js';
import { type Child, startChild } from '../../src/fault/children.js';
import { HubScenario } from '../../src/fault/scenario.js';
import { checkSamples, waitFor } from '../../src/fault/verify.js';
import { pgAvailable } from '../../src/pg.js';

const hasPg = await pgAvailable();
const SAMPLE_MS = 200;
const BATCH_MS = 1000;

/** Samples and commands per process run, from the record file (a run starts at its `b` line). */
function readRecord(file: string): { samples: number[]; commands: string[] }[] {
  const runs: { samples: number[]; commands: string[] }[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('s ')) {
      if (!runs.length) runs.push({ samples: [], commands: [] });
      runs[runs.length - 1].samples.push(Number(line.slice(2)));
    } else if (line.startsWith('c ')) runs[runs.length - 1]?.commands.push(line.slice(2));
    else if (line.startsWith('b ') && runs.length && runs[runs.length - 1].samples.length)
      runs.push({ samples: [], commands: [] });
  }
  return runs;
}

describe.skipIf(!hasPg)('fault: kill -9 of the sidecar mid-batch', () => {
  let s: HubScenario | undefined;
  let child: Child<{ bootId: string }> | undefined;
  afterEach(async () => {
    await child?.kill9().catch(() => {});
    await s?.cleanup();
  });

  it('replays what was durable, exactly once; a command never runs twice', { timeout: 240_000 }, async () => {
    s = new HubScenario('pg');
    await s.setup();
    const c = s.creds[0];
    const record = path.join(s.dir, 'record.log');
    const start = () =>
      startChild<{ bootId: string }>('bench/src/fault/sim-instance-process.ts', {
        DS_SIM_INSTANCE: JSON.stringify({
          hub: s!.proxy.url(),
          instanceId: c.id,
          secret: c.secret,
          hubKey: s!.hub.info.hubPublicKey,
          stateDir: path.join(s!.dir, 'sidecar'),
          sampleIntervalMs: SAMPLE_MS,
          batchIntervalMs: BATCH_MS,
          recordFile: record,
        }),
      });
    child = await start();
    const count = () =>
      s!.withDb(async (q) => Number((await q<{ n: string }>('SELECT count(*) AS n FROM metric_samples'))[0].n));
    expect(await waitFor(async () => (await count()) > 10, 30_000)).toBe(true);
    const cmd = await s.ping(c.id);
    await new Promise((r) => setTimeout(r, 300 + Math.floor(BATCH_MS / 2))); // inside a batch
    await child.kill9();
    const first = child.info.bootId;
    child = await start();
    expect(child.info.bootId).not.toBe(first);
    const cmd2 = await s.ping(c.id);
    const terminal = ['succeeded', 'failed', 'timed_out', 'rejected'];
    expect(await waitFor(async () => terminal.includes(await s!.commandStatus(cmd2)), DEADLINE.command)).toBe(true);
    expect(await waitFor(async () => terminal.includes(await s!.commandStatus(cmd)), DEADLINE.command)).toBe(true);
    // the first run's durable samples come back from the outbox
    const runs0 = readRecord(record);
    const firstRun = runs0[0].samples;
    const lostTail = Math.ceil(BATCH_MS / SAMPLE_MS) + 2; // never written to the outbox: at most one batch
    const mustHave = firstRun.slice(0, Math.max(0, firstRun.length - lostTail));
    expect(
      await waitFor(async () => (await s!.withDb((q) => checkSamples(q, c.id, mustHave))).missing.length === 0, 40_000),
    ).toBe(true);
    await child.stop();
    child = undefined;
    const runs = readRecord(record);
    const produced = runs.flatMap((r) => r.samples);
    const r = await s.withDb((q) => checkSamples(q, c.id, mustHave, produced));
    expect(r.duplicates).toBe(0);
    expect(r.missing).toEqual([]);
    expect(r.unknown).toBe(0);
    // stored samples of the first run form a prefix: nothing missing in the middle
    const stored = await s.withDb((q) =>
      q<{ ms: string }>('SELECT (extract(epoch FROM t) * 1000)::bigint AS ms FROM metric_samples'),
    );
    const have = new Set(stored.map((x) => Number(x.ms)));
    const lastStored = firstRun.findLastIndex((t) => have.has(t));
    expect(firstRun.slice(0, lastStored + 1).every((t) => have.has(t))).toBe(true);
    const commands = runs.flatMap((x) => x.commands);
    expect(new Set(commands).size).toBe(commands.length);
    expect(commands).toContain(cmd2);
    expect(r.cursors.length).toBeGreaterThanOrEqual(2); // both boots reached the hub
  });
});
