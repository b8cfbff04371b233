import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
// In CI promtool is installed (.ci/run); missing there is a failure, not a skip.
const run = hasPromtool || process.env.CI ? it : it.skip;

/** The exported rule file is valid for Prometheus and behaves like the hub's rules over /metrics names. */
describe('Prometheus rule export', () => {
  let hub: TestHub;
  let dir: string;
  let yaml: string;

  beforeAll(async () => {
    hub = await startTestHub({ alertsEvalSec: 3600 });
    dir = mkdtempSync(join(tmpdir(), 'prom-rules-'));
    const res = await fetch(`${hub.httpUrl}/api/v1/alert-rules/prometheus`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('yaml');
    yaml = await res.text();
    writeFileSync(join(dir, 'rules.yml'), yaml);
  });
  afterAll(async () => {
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uses the names /metrics exposes', async () => {
    const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    for (const name of yaml.match(/ds_[a-z_]+/g) ?? []) expect(metrics).toContain(`# TYPE ${name} `);
    expect(yaml).toContain('- alert: instance_offline');
    expect(yaml).toContain('- alert: disk_high');
  });

  run('passes promtool check rules', () => {
    const out = execFileSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  run('passes a promtool unit test of the offline and disk rules', () => {
    writeFileSync(
      join(dir, 'test.yml'),
      `rule_files: [rules.yml]
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - series: 'ds_instance_status{instance="inst-a",client="cli-a",status="offline"}'
        values: '0 0 0 0 1x20'
      - series: 'ds_instance_last_seen_seconds{instance="inst-a",client="cli-a"}'
        values: '0 15 30 45 45x20'
      - series: 'ds_instance_metric{instance="inst-b",client="cli-a",name="disk"}'
        values: '50 95x40'
    alert_rule_test:
      - eval_time: 90s
        alertname: instance_offline
        exp_alerts: []
      - eval_time: 2m
        alertname: instance_offline
        exp_alerts:
          - exp_labels: { severity: critical, instance: inst-a, client: cli-a }
            exp_annotations:
              summary: 'inst-a is offline'
              description: 'Instance inst-a of client cli-a has not been heard from for 75 s.'
      - eval_time: 4m
        alertname: disk_high
        exp_alerts: []
      - eval_time: 6m
        alertname: disk_high
        exp_alerts:
          - exp_labels: { severity: warning, instance: inst-b, client: cli-a, name: disk }
            exp_annotations:
              summary: 'Disk 95 % full on inst-b'
              description: 'The root disk of inst-b (client cli-a) is above 90 %.'
`,
    );
    const r = spawnSync('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
