import { startFakePagerduty } from '../../../hub/test/helpers/fake-alert-receivers.js';
import { api, startBenchHub } from '../hub/harness.js';
import { percentile } from '../load/lite-sidecar.js';
import { type BenchResult, round } from '../results.js';
import { Fleet } from '../sim/fleet.js';

const ROUTING_KEY = 'BENCHR0UT1NGKEY00000000000000000';

/**
 * `alerts.detect_to_notify_s`: real sidecars (simulated OpenClaw) on a hub on PostgreSQL; one is
 * stopped and the time until a local PagerDuty (Events API v2 wire format) receives the trigger
 * is measured, with instance_offline's `for` at 0 and the channel's group_wait at 0 (both are
 * deliberate delays, set per rule and channel). Median of `rounds` instances.
 */
async function detectToNotify(log: (s: string) => void, rounds: number): Promise<BenchResult> {
  const pd = await startFakePagerduty();
  const h = await startBenchHub({ mode: 'pg', instances: rounds, prefix: 'alr', settings: { pagerdutyUrl: pd.url } });
  const fleet = new Fleet({ hub: h.hub.mqttUrl, hubKey: h.hub.hubPublicKey, instances: h.creds });
  try {
    await fleet.start();
    const deadline = Date.now() + 30_000;
    while (fleet.stats().connected < rounds && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    while (h.creds.some((c) => h.hub.ctx.fleet.get(c.id)?.status !== 'online') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const patch = await api(h, 'PATCH', '/alert-rules/instance_offline', { forSec: 0 });
    if (patch.status !== 200) throw new Error(`rule edit refused: ${patch.status}`);
    const ch = await api(h, 'POST', '/notification-channels', {
      type: 'pagerduty',
      name: 'bench on-call',
      config: { routingKey: ROUTING_KEY },
      groupBy: ['alertname', 'instance'],
      groupWaitSec: 0,
    });
    if (ch.status !== 201) throw new Error(`channel refused: ${ch.status}`);
    const times: number[] = [];
    for (const m of [...fleet.members]) {
      const t0 = Date.now();
      await m.sidecar.stop();
      const got = await pd.waitFor(
        (r) =>
          r.json?.event_action === 'trigger' && (r.json.payload as { component?: string })?.component === m.creds.id,
        30_000,
      );
      times.push((got.at - t0) / 1000);
    }
    const p50 = percentile(times, 50);
    log(`  offline → PagerDuty trigger: ${times.map((t) => round(t, 2)).join(', ')} s (median ${round(p50, 2)} s)`);
    return {
      name: 'alerts.detect_to_notify_s',
      value: round(p50, 2),
      unit: 's',
      goal: '<= 5',
      note: `median of ${times.length}: sidecar stopped → local PagerDuty got the trigger (for 0, group_wait 0; add both for a real rule)`,
    };
  } finally {
    await fleet.stop();
    await h.cleanup();
    await pd.close();
  }
}

/**
 * `alerts.eval_cpu_pct_5000`: 5,000 provisioned instances with live-looking state in the hub's
 * fleet view (2 % offline, 3 % with a full disk, channels reported), every built-in rule on and a
 * PagerDuty channel; `cycles` evaluation cycles on the engine's clock, 5 s apart (the default),
 * including the stored-data queries every 60 s. Hub-process CPU per cycle / 5 s, as % of a core
 * (PostgreSQL's own CPU for the queries is not in it).
 */
async function evalCpu(log: (s: string) => void, instances: number, cycles: number): Promise<BenchResult[]> {
  const pd = await startFakePagerduty();
  const h = await startBenchHub({
    mode: 'pg',
    instances,
    prefix: 'alc',
    settings: { pagerdutyUrl: pd.url, alertsEvalSec: 3600 },
  });
  try {
    const alerts = h.hub.ctx.alerts;
    await api(h, 'POST', '/notification-channels', {
      type: 'pagerduty',
      name: 'bench',
      config: { routingKey: ROUTING_KEY },
      groupWaitSec: 0,
    });
    let t = Date.now();
    alerts.now = () => t;
    const now = new Date();
    let i = 0;
    for (const s of h.hub.ctx.fleet.list()) {
      const n = i++;
      s.presence = n % 50 === 0 ? 'offline' : 'online';
      s.lastSeen = now;
      s.metrics = { cpu: 20, memory: 40 + (n % 40), disk: n % 33 === 0 ? 96 : 50 };
      s.metricsAt = now;
      s.openclaw = { present: true, up: true, channels: [{ id: 'telegram', enabled: true, connected: true }] };
      h.hub.ctx.fleet.refresh(s);
    }
    await alerts.runOnce(); // warm-up: data load, first transitions
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    for (let c = 0; c < cycles; c++) {
      t += 5000;
      // Keep the fleet fresh, as ingest would.
      const at = new Date(t);
      for (const s of h.hub.ctx.fleet.list()) {
        if (s.presence !== 'online') continue;
        s.lastSeen = at;
        s.metricsAt = at;
      }
      await alerts.runOnce();
    }
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - w0;
    const perCycleMs = (cpu.user + cpu.system) / 1000 / cycles;
    const pct = (perCycleMs / 5000) * 100;
    const firing = [...alerts.engine.alerts.values()].filter((a) => a.state === 'firing').length;
    log(
      `  ${instances} instances: ${round(perCycleMs, 1)} ms CPU per cycle (${round(wall / cycles, 1)} ms wall), ${firing} firing → ${round(pct, 2)} % of a core`,
    );
    return [
      {
        name: 'alerts.eval_cpu_pct_5000',
        value: round(pct, 2),
        unit: '% core',
        goal: '< 2',
        note: `${instances} instances, ${cycles} cycles every 5 s incl. stored-data queries each 60 s; ${round(perCycleMs, 1)} ms hub CPU per cycle, ${firing} alerts firing`,
      },
    ];
  } finally {
    await h.cleanup();
    await pd.close();
  }
}

export async function alertsBenchmarks(log: (s: string) => void, quick = false): Promise<BenchResult[]> {
  const out = [await detectToNotify(log, quick ? 2 : 5)];
  out.push(...(await evalCpu(log, quick ? 1000 : 5000, quick ? 12 : 60)));
  return out;
}
