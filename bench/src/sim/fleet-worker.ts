/**
 * A child process holding many simulated instances (see fleet.ts) for the fleet benchmark, so the
 * simulated sidecars do not share an event loop with the hub they load. Driven over IPC:
 * `{grow: n}` → starts instances up to n, answers `{grown: n}`; `{measure: 'start'|'stop'}` →
 * answers commit latencies, the batches published in the window (for the browser probe,
 * browser-probe.ts), `connected` and `held` at stop; `{exit: true}` stops everything.
 * Settings come as a JSON file named by DS_FLEET_WORKER_FILE.
 */
import { readFileSync } from 'node:fs';
import type { InstanceCreds } from '../load/lite-sidecar.js';
import { percentile } from '../load/lite-sidecar.js';
import { Fleet } from './fleet.js';
import { LatencyProbe } from './latency-probe.js';

interface WorkerSettings {
  hub: string;
  hubKey: string;
  httpUrl: string;
  token: string;
  creds: InstanceCreds[];
  rampPerSec?: number;
}

const s = JSON.parse(readFileSync(process.env.DS_FLEET_WORKER_FILE ?? '', 'utf8')) as WorkerSettings;
const probe = new LatencyProbe();
const fleets: Fleet[] = [];
let started = 0;

const send = (m: unknown) => process.send?.(m);

process.on('message', async (m: { grow?: number; held?: boolean; measure?: 'start' | 'stop'; exit?: boolean }) => {
  if (m.grow !== undefined) {
    const want = Math.min(m.grow, s.creds.length);
    const slice = s.creds.slice(started, want);
    const f = new Fleet({
      hub: s.hub,
      hubKey: s.hubKey,
      instances: slice,
      rampPerSec: s.rampPerSec ?? 250,
      openclaw: { meanChatIntervalSec: 120, logLinesPerSec: 0.2 },
    });
    await f.start();
    for (const mem of f.members) probe.attach(mem.creds.id, mem.sidecar);
    started = want;
    fleets.push(f);
    send({ grown: started });
  } else if (m.held) {
    const held = fleets.reduce((a, f) => a + f.stats().held, 0);
    send({ heldNow: held });
  } else if (m.measure === 'start') {
    probe.reset();
    send({ measuring: true });
  } else if (m.measure === 'stop') {
    const stats = fleets
      .map((f) => f.stats())
      .reduce((a, b) => ({ connected: a.connected + b.connected, held: a.held + b.held, acked: a.acked + b.acked }), {
        connected: 0,
        held: 0,
        acked: 0,
      });
    send({
      // Raw latencies too: with several workers the parent takes percentiles over all of them.
      commitMs: probe.commitMs,
      earlierMs: probe.earlierMs,
      commitP99: percentile(probe.commitMs, 99),
      commitP50: percentile(probe.commitMs, 50),
      commits: probe.commitMs.length,
      publishes: probe.windowPublishes,
      earlierP99: percentile(probe.earlierMs, 99),
      earlier: probe.earlierMs.length,
      ...stats,
    });
  } else if (m.exit) {
    for (const f of fleets) await f.stop();
    process.exit(0);
  }
});
send({ ready: true });
