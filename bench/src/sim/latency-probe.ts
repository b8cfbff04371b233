import type { Sidecar } from '../../../sidecar/src/sidecar.js';

/**
 * Measures, for real sidecars in this process, publish → committed (the hub's ack for that
 * metrics seq arrives; the hub acks only after commit [SPEC 4.2]), and records when each batch
 * was published so that publish → browser (the live `metrics` frame of the batch's newest sample
 * reaches the browser probe, another process) can be computed.
 * It wraps the sidecar's `link.publish` and `outbox.ack` (observation only: both are called through).
 */
export class LatencyProbe {
  commitMs: number[] = [];
  /**
   * Publish→committed of messages published before the window began (while instances were
   * still connecting): kept apart, so a step measures its steady state, and reported beside it.
   */
  earlierMs: number[] = [];
  private since = 0;
  /**
   * Metrics batches published since the last reset (each should reach the browser as a frame):
   * `<instanceId>|<newest sample t>` → publish time (wall clock, ms), for browser-probe.ts.
   */
  windowPublishes: [string, number][] = [];
  private readonly sent = new Map<string, Map<number, number>>(); // instance/boot -> seq -> publish time

  attach(id: string, sc: Sidecar): void {
    const link = sc.link;
    const publish = link.publish.bind(link);
    link.publish = (topic: string, payload: Buffer, retain?: boolean) => {
      if (topic.endsWith('/metrics')) {
        try {
          const m = JSON.parse(payload.toString('utf8')) as { bootId: string; seq: number; samples: { t: number }[] };
          const at = performance.now();
          const key = `${id}/${m.bootId}`;
          let seqs = this.sent.get(key);
          if (!seqs) {
            seqs = new Map();
            this.sent.set(key, seqs);
          }
          if (!seqs.has(m.seq)) seqs.set(m.seq, at);
          const newest = m.samples[m.samples.length - 1]?.t;
          if (newest !== undefined) this.windowPublishes.push([`${id}|${newest}`, performance.timeOrigin + at]);
        } catch {}
      }
      return publish(topic, payload, retain);
    };
    const outbox = sc.outbox;
    const ack = outbox.ack.bind(outbox);
    outbox.ack = (bootId: string, stream: string, seq: number) => {
      if (stream === 'metrics') {
        const seqs = this.sent.get(`${id}/${bootId}`);
        if (seqs) {
          const now = performance.now();
          for (const [s, at] of seqs) {
            if (s > seq) continue;
            (at >= this.since ? this.commitMs : this.earlierMs).push(now - at);
            seqs.delete(s);
          }
        }
      }
      return ack(bootId, stream, seq);
    };
  }

  reset(): void {
    this.commitMs = [];
    this.earlierMs = [];
    this.windowPublishes = [];
    this.since = performance.now();
  }
}
