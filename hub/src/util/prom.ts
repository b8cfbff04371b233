/**
 * A small Prometheus text-exposition registry (counters, gauges, a latency summary). The hub's
 * needs are a handful of series, so this avoids a dependency; names follow Prometheus conventions.
 */
type Labels = Record<string, string>;

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const key = (l: Labels) =>
  Object.keys(l)
    .sort()
    .map((k) => `${k}="${esc(l[k])}"`)
    .join(',');

/** A family of counters or gauges with labels. */
export class Family {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  set(labels: Labels, value: number): void {
    this.values.set(key(labels), value);
  }

  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${Number.isFinite(v) ? v : 0}`);
    return lines.join('\n');
  }
}

/** Registry of families plus collectors that refresh gauges right before a scrape. */
export class Registry {
  private readonly families: Family[] = [];
  private readonly collectors: (() => void)[] = [];

  counter(name: string, help: string): Family {
    const f = new Family(name, help, 'counter');
    this.families.push(f);
    return f;
  }

  gauge(name: string, help: string): Family {
    const f = new Family(name, help, 'gauge');
    this.families.push(f);
    return f;
  }

  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  render(): string {
    for (const c of this.collectors) c();
    return `${this.families.map((f) => f.render()).join('\n')}\n`;
  }
}
