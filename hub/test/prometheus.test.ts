import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERIES_PER_INSTANCE } from '../src/fleet/gauges.js';
import {
  ackCollector,
  connectSidecar,
  metricsMsg,
  pub,
  serveCommands,
  startTestHub,
  type TestHub,
} from './helpers/hub.js';
import { type PrometheusServer, promtool, runPrometheusTests, startPrometheus } from './helpers/prometheus.js';
import { exposedNames, metricNamesIn } from './helpers/promql.js';
import { until } from './helpers/sidecar-proc.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Target {
  expr: string;
  datasource?: { uid: string };
}
interface Panel {
  type: string;
  title: string;
  id: number;
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'install/grafana/deepsignal.json'), 'utf8')) as {
  __inputs: { name: string; type: string; pluginId: string }[];
  panels: Panel[];
  templating: { list: { name: string; query: { query: string }; datasource: { uid: string } }[] };
  uid: string;
};
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
/** `label_values(metric{…}, label)` of the dashboard's variables: the metric they read. */
const variableMetrics = dashboard.templating.list.map(
  (v) => /label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(v.query.query)?.[1],
);
/** A dashboard query as Grafana sends it with every variable on "All". */
const asSent = (expr: string) =>
  expr.replaceAll('$__rate_interval', '30s').replaceAll('$job', '.*').replaceAll('$client', '.*');

/** Grafana's import input for the data source (a literal `${…}`, filled in on import). */
const DS_INPUT = ['$', '{DS_PROMETHEUS}'].join('');

/** Hub and Prometheus start-ups on a loaded 2-core machine: generous, each waits on a condition. */
const HOOK_MS = 300_000;
/** Tests that wait for Prometheus to scrape (1 s interval) and evaluate. */
const TEST_MS = 200_000;

const metricsText = async (hub: TestHub) => (await fetch(`${hub.httpUrl}/metrics`)).text();

describe('GET /metrics for Prometheus and Grafana', () => {
  let hub: TestHub;
  let a: { id: string; secret: string; clientId: string };
  let b: { id: string; secret: string; clientId: string };
  let side: MqttClient;
  let seq = 0;
  const publishMetrics = async () => {
    const acks = ackCollector(side);
    const n = seq++;
    await pub(side, `ds/v1/${a.id}/metrics`, metricsMsg(a.id, 'boot-prom', n));
    await acks.waitFor((x) => x.bootId === 'boot-prom' && x.seq === n, 30_000);
  };

  beforeAll(async () => {
    hub = await startTestHub();
    a = await hub.newInstance();
    b = await hub.newInstance();
    side = await connectSidecar(hub.mqttUrl, a.id, a.secret);
    await side.subscribeAsync(`ds/v1/${a.id}/ack`, { qos: 1 });
    await serveCommands(side, a.id, hub.hubPublicKey, (v, report) => {
      if (v.ok) void report(v.command.id, 'succeeded', { result: { pong: true, ts: Date.now() } });
    });
    const status = { v: 1, bootId: 'b', seq: 0, ts: Date.now() };
    await pub(side, `ds/v1/${a.id}/status`, { ...status, id: 's', instanceId: a.id, state: 'online' });
    await publishMetrics();
    // A second instance that goes offline (its last will), for the offline list.
    const will = { ...status, id: 'w', instanceId: b.id, state: 'offline' };
    const cb = await connectSidecar(hub.mqttUrl, b.id, b.secret, {
      will: { topic: `ds/v1/${b.id}/status`, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    });
    await pub(cb, `ds/v1/${b.id}/status`, { ...will, id: 's', state: 'online' });
    await until(() => hub.ctx.fleet.get(b.id)?.status === 'online', 30_000, 'second instance online');
    cb.stream.destroy();
    await until(() => hub.ctx.fleet.get(b.id)?.status === 'offline', 30_000, 'second instance offline');
    // One command round trip.
    const cmd = await hub.api<{ id: string }>('POST', `/instances/${a.id}/commands`, { type: 'ping', params: {} });
    expect(cmd.status).toBe(202);
    await until(
      async () => (await hub.api<{ status: string }>('GET', `/commands/${cmd.body.id}`)).body.status === 'succeeded',
      30_000,
      'ping succeeded',
    );
    expect((await hub.api('GET', '/no-such-route/x')).status).toBe(404);
  }, HOOK_MS);
  afterAll(async () => {
    await side?.endAsync();
    await hub?.close();
  });

  it('exposes histograms, process and runtime figures, fleet series and bounded labels', async () => {
    const text = await metricsText(hub);
    for (const family of [
      '# TYPE ds_ingest_commit_seconds histogram',
      '# TYPE ds_mqtt_message_handling_seconds histogram',
      '# TYPE ds_http_request_duration_seconds histogram',
      '# TYPE ds_command_round_trip_seconds histogram',
      '# TYPE process_resident_memory_bytes gauge',
      '# TYPE nodejs_eventloop_lag_p99_seconds gauge',
      '# TYPE nodejs_gc_duration_seconds histogram',
      '# TYPE nodejs_active_handles gauge',
      '# TYPE nodejs_heap_size_used_bytes gauge',
    ])
      expect(text).toContain(family);
    expect(text).toMatch(/^ds_ingest_commit_seconds_bucket\{le="\+Inf"\} [1-9]/m);
    expect(text).toMatch(/^ds_ingest_commit_seconds_count [1-9]/m);
    expect(text).toMatch(/^ds_mqtt_message_handling_seconds_count\{kind="metrics"\} [1-9]/m);
    expect(text).toMatch(/^ds_command_round_trip_seconds_count\{type="ping",status="succeeded"\} 1$/m);
    expect(text).toMatch(/^ds_commands_total\{type="ping",status="succeeded"\} 1$/m);
    expect(text).toMatch(/^ds_instances\{status="online"\} 1$/m);
    expect(text).toMatch(/^ds_instances\{status="offline"\} 1$/m);
    const who = `instance="${a.id}",client="${a.clientId}",hostname="vps-1"`;
    expect(text).toContain(`ds_instance_metric{${who},name="cpu"} 20`);
    expect(text).toContain(`ds_instance_status{${who},status="online"} 1`);
    // Every series of one instance: at most SERIES_PER_INSTANCE (the README's figure).
    const ofA = text.split('\n').filter((l) => l.includes(`instance="${a.id}"`));
    expect(ofA.length).toBeGreaterThan(6);
    expect(ofA.length).toBeLessThanOrEqual(SERIES_PER_INSTANCE);
    // Route templates, never the raw URL: an id only ever appears as a fleet series' label.
    expect(text).toMatch(/route="\/api\/v1\/instances\/:id\/commands",status_class="2xx"/);
    expect(text).toMatch(
      /ds_http_request_duration_seconds_count\{method="GET",route="unknown",status_class="4xx"\} [1-9]/,
    );
    for (const line of text.split('\n').filter((l) => l.includes(a.id) || l.includes('no-such-route')))
      expect(line).toMatch(/^ds_instance_/);
    // Counters end in _total (promtool checks the rest).
    for (const m of text.matchAll(/^# TYPE (\S+) counter$/gm)) expect(m[1]).toMatch(/_total$/);
  });

  it.skipIf(!runPrometheusTests)('passes promtool check metrics without a remark', async () => {
    const r = await promtool(['check', 'metrics'], await metricsText(hub));
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('has a Grafana dashboard that imports as is and only queries series the hub exposes', async () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    expect(new Set(queryPanels.map((p) => p.id)).size).toBe(queryPanels.length);
    for (const p of queryPanels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: DS_INPUT });
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe(DS_INPUT);
    }
    for (const v of dashboard.templating.list) expect(v.datasource.uid).toBe(DS_INPUT);
    const titles = queryPanels.map((p) => p.title);
    for (const t of [
      'Ingest rate',
      'Ingest commit latency',
      'Rejects and failures',
      'Connected sidecars',
      'Event-loop lag',
      'Memory',
      'Instances by status',
      'Top CPU',
      'Top memory',
      'Top disk',
      'Offline instances',
      'Commands issued by type',
      'Command failures by type',
    ])
      expect(titles).toContain(t);
    expect(exprs.map((e) => e.expr).join('\n')).toContain(
      'histogram_quantile(0.99, sum by (le) (rate(ds_ingest_commit_seconds_bucket',
    );

    const exposed = exposedNames(await metricsText(hub));
    const used = [...new Set([...exprs.flatMap((e) => metricNamesIn(e.expr)), ...variableMetrics])];
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((n) => !n || !exposed.has(n))).toEqual([]);
  });

  describe.skipIf(!runPrometheusTests)('scraped by a real Prometheus server', () => {
    let prom: PrometheusServer;
    beforeAll(async () => {
      const acct = await hub.api<{ id: string }>('POST', '/service-accounts', { name: 'prometheus' });
      expect(acct.status).toBe(201);
      const tok = await hub.api<{ token: string }>('POST', `/service-accounts/${acct.body.id}/tokens`, {
        name: 'scrape',
        scopes: ['read'],
      });
      expect(tok.status).toBe(201);
      // The scrape config of hub/README.md ("Prometheus and Grafana").
      prom = await startPrometheus(
        [
          '  - job_name: deepsignal',
          '    honor_labels: true',
          '    metrics_path: /metrics',
          '    authorization:',
          '      type: Bearer',
          '      credentials_file: {dir}/hub-token',
          '    static_configs:',
          `      - targets: ['${new URL(hub.httpUrl).host}']`,
          '    relabel_configs:',
          '      - source_labels: [__address__]',
          '        target_label: hub',
        ].join('\n'),
        { 'hub-token': tok.body.token },
      );
    }, HOOK_MS);
    afterAll(async () => prom?.stop());

    it(
      'scrapes it: up is 1, the instance series and the histogram buckets arrive',
      async () => {
        const up = await until(async () => (await prom.query('up{job="deepsignal"} == 1'))[0], 90_000, 'up == 1');
        expect(up.metric.hub).toBe(new URL(hub.httpUrl).host);
        const cpu = await until(
          async () => (await prom.query(`ds_instance_metric{name="cpu",instance="${a.id}"}`))[0],
          60_000,
          'instance series',
        );
        expect(cpu.metric).toMatchObject({ client: a.clientId, hostname: 'vps-1', job: 'deepsignal' });
        expect(Number(cpu.value[1])).toBe(20);
        const buckets = await prom.query('ds_ingest_commit_seconds_bucket{job="deepsignal"}');
        expect(buckets.map((s) => s.metric.le)).toContain('+Inf');
      },
      TEST_MS,
    );

    it(
      'answers every dashboard query; commit p99, top CPU and the offline list have the fleet in them',
      async () => {
        for (const { panel, expr } of exprs)
          await expect(prom.query(asSent(expr)), panel).resolves.toBeInstanceOf(Array);
        const find = (title: string) => asSent(exprs.find((e) => e.panel === title)?.expr ?? '');
        // Commits while Prometheus watches, until the p99 panel has a number.
        const p99 = exprs.find((e) => e.expr.startsWith('histogram_quantile(0.99, sum by (le) (rate(ds_ingest_commit'));
        await until(
          async () => {
            await publishMetrics();
            const r = await prom.query(asSent(p99?.expr ?? ''));
            return r.length === 1 && Number.isFinite(Number(r[0].value[1])) && Number(r[0].value[1]) > 0;
          },
          90_000,
          'commit p99 in Prometheus',
        );
        const offline = await prom.query(find('Offline instances'));
        expect(offline.map((s) => s.metric.instance)).toEqual([b.id]);
        const top = await prom.query(find('Top CPU'));
        expect(top.map((s) => s.metric.instance)).toContain(a.id);
        const byStatus = await prom.query(find('Instances by status'));
        expect(Object.fromEntries(byStatus.map((s) => [s.metric.status, s.value[1]]))).toMatchObject({
          online: '1',
          offline: '1',
        });
      },
      TEST_MS,
    );
  });
});

describe('DS_METRICS_PER_INSTANCE=false', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ metricsPerInstance: 'false' });
  }, HOOK_MS);
  afterAll(async () => hub?.close());

  it('keeps the fleet totals and drops the per-instance series', async () => {
    const inst = await hub.newInstance();
    const text = await metricsText(hub);
    expect(text).toMatch(/^ds_instances\{status="provisioning"\} 1$/m);
    expect(text).not.toContain('ds_instance_status');
    expect(text).not.toContain('ds_instance_metric');
    expect(text).not.toContain(inst.id);
  });
});
