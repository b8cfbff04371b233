import type { MetricSample } from '@deepsignal/protocol';
import { SyntheticMachine } from '../sim/synthetic-metrics.js';
import { type InstanceCreds, LiteSidecar } from './lite-sidecar.js';

/** What the generator is set up with. */
export interface GeneratorSetup {
  url: string;
  creds: InstanceCreds[];
  samplesPerMessage: number;
  window: number;
  /** Time of the first sample (ms since the epoch); one sample per second after it. */
  startT: number;
}

/** Totals of acknowledged work, for the caller to take differences of. */
export interface GeneratorTotals {
  samples: number;
  messages: number;
}

/** What the generator reports when stopped: totals just before, latencies since the mark, all acked. */
export interface GeneratorEnd {
  during: GeneratorTotals;
  latencies: number[];
  acked: number;
}

/**
 * Requests, one answer each: `setup` connects every instance, `go` publishes as fast as acks
 * allow, `mark` takes the totals and clears latencies, `stop` stops, waits for the last acks and
 * reports, `exit` ends the worker process (ingest-worker.ts).
 */
export type GeneratorRequest =
  | { setup: GeneratorSetup }
  | { go: true }
  | { mark: true }
  | { stop: true }
  | { exit: true };

/** The name of the answer each request gets from the worker process (`exit` gets none). */
export const ANSWER_TO = { setup: 'connected', go: 'going', mark: 'marked', stop: 'stopped', exit: 'never' } as const;
export const answerTo = (m: GeneratorRequest) => ANSWER_TO[Object.keys(m)[0] as keyof typeof ANSWER_TO];

/**
 * The ingest benchmark's load: protocol-level publishers (LiteSidecar), each keeping `window`
 * metrics messages awaiting the hub's ack. Runs in its own process (ingest-worker.ts) or inline.
 */
export class InlineGenerator {
  private subs: LiteSidecar[] = [];
  private setup?: GeneratorSetup;
  private running = false;
  private loops: Promise<void>[] = [];

  async handle(m: GeneratorRequest): Promise<unknown> {
    if ('setup' in m) {
      this.setup = m.setup;
      this.subs = m.setup.creds.map((c) => new LiteSidecar(c, m.setup.url));
      for (let i = 0; i < this.subs.length; i += 50) {
        await Promise.all(this.subs.slice(i, i + 50).map((s) => s.connect()));
      }
      return this.subs.length;
    }
    if ('go' in m) {
      const o = this.setup;
      if (!o) throw new Error('generator: go before setup');
      this.running = true;
      this.loops = this.subs.map((s) => this.publishLoop(s, o));
      return true;
    }
    if ('mark' in m) {
      for (const s of this.subs) s.latencies.length = 0;
      return this.totals();
    }
    if ('stop' in m) {
      const during = this.totals();
      const latencies = this.subs.flatMap((s) => s.latencies);
      this.running = false;
      await Promise.all(this.loops);
      await Promise.all(this.subs.map((s) => s.drained(20_000)));
      return { during, latencies, acked: this.totals().samples } satisfies GeneratorEnd;
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.running = false;
    await Promise.all(this.subs.map((s) => s.close()));
  }

  private totals(): GeneratorTotals {
    return {
      samples: this.subs.reduce((a, s) => a + s.ackedSamples, 0),
      messages: this.subs.reduce((a, s) => a + s.acked + 1, 0),
    };
  }

  /** Keeps one instance's window of unacknowledged messages full until stopped. */
  private async publishLoop(s: LiteSidecar, o: GeneratorSetup) {
    const m = new SyntheticMachine(s.creds.id, o.startT);
    let t = o.startT;
    while (this.running) {
      if (s.outstanding >= o.window) {
        await s.drained(50).catch(() => {});
        if (s.outstanding >= o.window) continue;
      }
      const samples: MetricSample[] = [];
      for (let k = 0; k < o.samplesPerMessage; k++) {
        samples.push(m.sample(t));
        t += 1000;
      }
      await s.publishMetrics(samples).catch(() => {});
    }
  }
}
