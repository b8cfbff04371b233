import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MetricSample } from '@deepsignal/protocol';
import { NatsCluster } from '../../../scripts/test/nats-cluster.js';
import type { Child } from '../fault/children.js';
import { MosquittoProcess } from '../fault/mosquitto.js';
import { type HubInfo, HubScenario } from '../fault/scenario.js';
import { waitFor } from '../fault/verify.js';
import { LiteSidecar } from '../load/lite-sidecar.js';
import { type BenchResult, round } from '../results.js';
import { SyntheticMachine } from '../sim/synthetic-metrics.js';

/** Sizes of one run. */
export interface BrokerClusterOptions {
  instances: number;
  /** Metrics messages (5 samples each) every instance publishes per phase. */
  messages: number;
}

/** What one phase of telemetry through a broker gave. */
interface Phase {
  samplesPerSec: number;
  expected: number;
  lost: number;
  duplicated: number;
  drained: boolean;
}

/** Two hub processes on one broker setup, with lite sidecars spread over its nodes. */
interface Setup {
  scenario: HubScenario;
  peer: Child<HubInfo>;
  subs: LiteSidecar[];
  /** Which broker node each sidecar is on. */
  nodeOf: number[];
  nextT: number[];
}

const PER_MESSAGE = 5;
const WINDOW = 4;

/**
 * `broker_cluster.*`: two hubs and `instances` protocol-level sidecars on a 3-node NATS cluster
 * (MQTT gateway + JetStream) against the same on one Mosquitto in the same run. Hub A is on node
 * 1, hub B on node 2, sidecars round-robin over the nodes. Each sidecar publishes `messages`
 * metrics messages (QoS 1, window 4) and waits for the hubs' end-to-end acks; then every sample is
 * looked up in the database (lost = not stored, duplicated = stored twice). A third phase kills
 * node 2 (hub B's and a third of the sidecars') with SIGKILL mid-load and restarts it.
 */
export async function brokerClusterBenchmark(
  log: (s: string) => void,
  o: BrokerClusterOptions,
): Promise<BenchResult[]> {
  if (!(await NatsCluster.available())) throw new Error('nats-server is not installed (apt-get install nats-server)');
  const dir = mkdtempSync(path.join(tmpdir(), 'ds-bench-broker-'));
  const mosquitto = new MosquittoProcess(dir);
  const nats = new NatsCluster(path.join(dir, 'nats'), 3);
  try {
    await mosquitto.start();
    const mosq = await withSetup([mosquitto.url], o, async (s) => phase(s, o, log, 'mosquitto'));
    await nats.start();
    let kill: Phase & { downSec: number; recoverSec: number } = {
      samplesPerSec: 0,
      expected: 0,
      lost: 0,
      duplicated: 0,
      drained: false,
      downSec: 0,
      recoverSec: 0,
    };
    const natsRun = await withSetup(
      [0, 1, 2].map((i) => nats.url(i)),
      o,
      async (s) => {
        const steady = await phase(s, o, log, 'nats');
        kill = await killPhase(s, nats, o, log);
        return steady;
      },
    );
    const note = `${o.instances} instances, ${o.messages} msgs × ${PER_MESSAGE} samples each, two hub processes, PostgreSQL`;
    return [
      {
        name: 'broker_cluster.nats_samples_per_s',
        value: Math.round(natsRun.samplesPerSec),
        unit: 'samples/s',
        baseline: Math.round(mosq.samplesPerSec),
        baselineName: 'Mosquitto, shared subscriptions',
        note: `${note}; NATS 3 nodes, no shared subscriptions (every hub ingests every message, dedupe stores once).`,
      },
      {
        name: 'broker_cluster.lost_or_duplicated',
        value: natsRun.lost + natsRun.duplicated + mosq.lost + mosq.duplicated,
        unit: 'samples',
        goal: '0',
        note: `NATS lost ${natsRun.lost}, duplicated ${natsRun.duplicated} of ${natsRun.expected}; Mosquitto lost ${mosq.lost}, duplicated ${mosq.duplicated} of ${mosq.expected}.`,
      },
      {
        name: 'broker_cluster.node_kill_recover_s',
        value: kill.drained ? round(kill.recoverSec, 1) : null,
        unit: 's',
        note: `kill -9 of NATS node 2 (hub B's, ${Math.ceil(o.instances / 3)} sidecars) mid-load, restarted after ${round(kill.downSec, 1)} s: seconds from the kill until every message was acked; lost ${kill.lost}, duplicated ${kill.duplicated} of ${kill.expected}${kill.drained ? '' : ' (NOT drained)'}.`,
      },
    ];
  } finally {
    await nats.stop().catch(() => {});
    await mosquitto.kill().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts hub A on `urls[0]`, hub B on `urls[1]` (or the same), sidecars round-robin; runs `fn`. */
async function withSetup<T>(urls: string[], o: BrokerClusterOptions, fn: (s: Setup) => Promise<T>): Promise<T> {
  const scenario = new HubScenario('pg');
  let peer: Child<HubInfo> | undefined;
  const subs: LiteSidecar[] = [];
  try {
    // The hub children keep the default log level `error`: their first stdout line must be the
    // ready line, and the 3.1.1 fallback logs a warning.
    await scenario.setup(o.instances, {
      DS_MQTT_URL: urls[0],
      DS_SHARE_GROUP: `b${randomBytes(5).toString('hex')}`,
      DS_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    });
    // Hubs of one deployment sign with the same key.
    const peerDir = path.join(scenario.dir, 'hub-b');
    mkdirSync(peerDir, { recursive: true });
    copyFileSync(path.join(scenario.store.dataDir, 'hub-key.pem'), path.join(peerDir, 'hub-key.pem'));
    scenario.extraEnv = { ...scenario.extraEnv, DS_MQTT_URL: urls[1 % urls.length] };
    peer = await scenario.startHubChild(peerDir);
    const nodeOf = scenario.creds.map((_, i) => i % urls.length);
    for (const [i, c] of scenario.creds.entries()) subs.push(new LiteSidecar(c, urls[nodeOf[i]]));
    for (let i = 0; i < subs.length; i += 20) await Promise.all(subs.slice(i, i + 20).map((s) => s.connect()));
    const start = Date.now() - 10 * 86_400_000;
    return await fn({ scenario, peer, subs, nodeOf, nextT: subs.map(() => start) });
  } finally {
    await Promise.all(subs.map((s) => s.close()));
    await peer?.kill9().catch(() => {});
    await scenario.cleanup();
  }
}

/** Every sidecar publishes `o.messages` messages; resolves with the rate and what was stored. */
async function phase(
  s: Setup,
  o: BrokerClusterOptions,
  log: (s: string) => void,
  label: string,
  during?: (progress: () => number) => Promise<void>,
): Promise<Phase> {
  const from = [...s.nextT];
  const ackedBefore = s.subs.map((x) => x.acked);
  const t0 = performance.now();
  const loops = s.subs.map(async (sub, i) => {
    const m = new SyntheticMachine(sub.creds.id, s.nextT[i]);
    for (let n = 0; n < o.messages; n++) {
      while (sub.outstanding >= WINDOW) await sub.drained(50);
      const samples: MetricSample[] = [];
      for (let k = 0; k < PER_MESSAGE; k++) {
        samples.push(m.sample(s.nextT[i]));
        s.nextT[i] += 1000;
      }
      await sub.publishMetrics(samples).catch(() => {});
    }
  });
  const total = o.messages * s.subs.length;
  const progress = () => s.subs.reduce((a, x, i) => a + x.acked - ackedBefore[i], 0) / total;
  const side = during?.(progress);
  await Promise.all(loops);
  await side;
  const drained = (await Promise.all(s.subs.map((x) => x.drained(120_000)))).every(Boolean);
  const secs = (performance.now() - t0) / 1000;
  const expected = total * PER_MESSAGE;
  const counts = await s.scenario.withDb((q) =>
    q<{ n: string; d: string }>(
      `SELECT count(*) AS n, count(DISTINCT (instance_id, t)) AS d FROM metric_samples
        WHERE ${s.subs.map((_, i) => `(instance_id = $${2 * i + 1} AND t >= to_timestamp($${2 * i + 2}::double precision / 1000))`).join(' OR ')}`,
      s.subs.flatMap((x, i) => [x.creds.id, from[i]]),
    ),
  );
  const stored = Number(counts[0].n);
  const distinct = Number(counts[0].d);
  const r = {
    samplesPerSec: expected / secs,
    expected,
    lost: expected - distinct,
    duplicated: stored - distinct,
    drained,
  };
  log(
    `  ${label}: ${Math.round(r.samplesPerSec)} samples/s, lost ${r.lost}, duplicated ${r.duplicated}, drained ${drained}`,
  );
  return r;
}

/** A phase during which node 2 is killed once a third of the messages are acked, and restarted. */
async function killPhase(s: Setup, nats: NatsCluster, o: BrokerClusterOptions, log: (s: string) => void) {
  let killedAt = 0;
  let downSec = 0;
  const r = await phase(s, o, log, 'nats, node 2 killed', async (progress) => {
    await waitFor(() => progress() >= 1 / 3, 120_000);
    killedAt = performance.now();
    await nats.kill(1);
    // Down until the sidecars on it have noticed (their connection dropped), then back.
    await waitFor(() => s.subs.every((x, i) => s.nodeOf[i] !== 1 || !x.connected), 30_000);
    downSec = (performance.now() - killedAt) / 1000;
    await nats.restart(1);
  });
  return { ...r, downSec, recoverSec: (performance.now() - killedAt) / 1000 };
}
