/** One sample of a Prometheus text exposition. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text format (comments skipped, bad lines ignored). */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    const value = Number(m[4]);
    if (Number.isFinite(value)) out.push({ name: m[1], labels, value });
  }
  return out;
}

/** `# HELP` lines: metric name → its description (for readable labels). */
export function parsePrometheusHelp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/gm)) out.set(m[1], m[2].trim());
  return out;
}

/** A metric's description for people: its HELP text (histograms' _sum/_count named as such), else its name in words. */
export function promLabel(name: string, help: Map<string, string>): string {
  const direct = help.get(name);
  if (direct) return direct;
  const base = name.replace(/_(sum|count|total)$/, '');
  const h = help.get(base);
  if (h) return name.endsWith('_sum') ? `${h} (sum)` : name.endsWith('_count') ? `${h} (count)` : h;
  const words = name.replace(/^ds_hub_|^ds_/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
