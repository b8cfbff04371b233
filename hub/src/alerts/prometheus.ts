import type { AlertRule } from './types.js';

/**
 * The built-in rules that the hub's /metrics can express, as a Prometheus rule file. The names
 * are the ones /metrics exposes (`ds_instance_status`, `ds_instance_metric`); rules on logs,
 * replies, usage and backups need data that is not on /metrics and are listed as comments.
 */
const EXPR: Partial<Record<AlertRule['kind'], (r: AlertRule) => string>> = {
  // The value is the seconds since the instance was last heard from, as in the hub's own rule.
  instance_offline: () =>
    '(time() - ds_instance_last_seen_seconds) * on(instance, client) (ds_instance_status{status="offline"} == 1)',
  openclaw_down: () => 'ds_instance_status{status="error"} == 1',
  disk_high: (r) => `ds_instance_metric{name="disk"} >= ${r.threshold ?? 90}`,
  memory_high: (r) => `ds_instance_metric{name="memory"} >= ${r.threshold ?? 90}`,
};

// Prometheus templating of the same annotations ({{instance}} etc. become label references).
const promTemplate = (s: string, r: AlertRule) =>
  s
    .replace(/\{\{\s*value\s*\}\}/g, '{{ $value }}')
    .replace(/\{\{\s*hostname\s*\}\}/g, '{{ $labels.instance }}')
    .replace(/\{\{\s*threshold\s*\}\}/g, String(r.threshold ?? ''))
    .replace(/\{\{\s*(instance|client)\s*\}\}/g, (_m, k: string) => `{{ $labels.${k} }}`);

const q = (s: string) => JSON.stringify(s);

export function prometheusRules(rules: AlertRule[]): string {
  const lines = [
    '# Deep Signal built-in alert rules over the hub /metrics names.',
    'groups:',
    '  - name: deepsignal',
    '    rules:',
  ];
  const skipped: string[] = [];
  for (const r of rules) {
    if (!r.builtin || !r.enabled || r.scope !== 'fleet') continue;
    const expr = EXPR[r.kind];
    if (!expr) {
      skipped.push(r.id);
      continue;
    }
    lines.push(`      - alert: ${r.id}`, `        expr: ${q(expr(r))}`);
    if (r.forSec) lines.push(`        for: ${r.forSec}s`);
    if (r.keepFiringSec) lines.push(`        keep_firing_for: ${r.keepFiringSec}s`);
    lines.push('        labels:', `          severity: ${q(r.severity)}`);
    for (const [k, v] of Object.entries(r.labels)) lines.push(`          ${k}: ${q(v)}`);
    const ann = Object.entries(r.annotations);
    if (ann.length) {
      lines.push('        annotations:');
      for (const [k, v] of ann) lines.push(`          ${k}: ${q(promTemplate(v, r))}`);
    }
  }
  if (skipped.length) lines.push(`# Evaluated by the hub only (their data is not on /metrics): ${skipped.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
