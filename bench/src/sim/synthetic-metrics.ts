import type { MetricSample } from '@deepsignal/protocol';
import { hash32, rng } from './rng.js';

const GB = 2 ** 30;

/**
 * Synthetic machine metrics for one simulated VPS: a daily-ish CPU wave with noise, memory that
 * drifts, a slowly filling disk, bursty network and an OpenClaw process whose CPU follows the
 * conversations. Deterministic per instance id; every field the protocol defines is filled, so a
 * sample costs the hub what a real one does.
 */
export class SyntheticMachine {
  private readonly r: () => number;
  private readonly memTotal: number;
  private readonly diskTotal: number;
  private diskUsed: number;
  private memUsed: number;
  private readonly bootAt: number;
  /** Extra CPU while the simulated gateway is answering (set by the OpenClaw simulation). */
  busy = 0;
  /** The simulated gateway's pid, null while it is down. */
  openclawPid: number | null = 4242;

  constructor(
    readonly instanceId: string,
    now = Date.now(),
  ) {
    this.r = rng(hash32(instanceId));
    this.memTotal = [2, 4, 8, 16][Math.floor(this.r() * 4)] * GB;
    this.diskTotal = [40, 80, 160][Math.floor(this.r() * 3)] * GB;
    this.diskUsed = this.diskTotal * (0.2 + this.r() * 0.4);
    this.memUsed = this.memTotal * (0.3 + this.r() * 0.3);
    this.bootAt = now - Math.floor(this.r() * 30 * 86_400_000);
  }

  /** The sample for second `now` (ms). */
  sample(now: number): MetricSample {
    const r = this.r;
    const wave = (Math.sin(now / 3_600_000 + hash32(this.instanceId)) + 1) * 10;
    const cpu = Math.min(100, wave + r() * 8 + this.busy * 30);
    this.memUsed = Math.min(this.memTotal * 0.95, Math.max(this.memTotal * 0.1, this.memUsed + (r() - 0.5) * 4e6));
    this.diskUsed = Math.min(this.diskTotal, this.diskUsed + r() * 2000);
    const load1 = (cpu / 100) * 2 + r() * 0.2;
    return {
      t: now,
      cpu: Math.round(cpu * 100) / 100,
      load1: Math.round(load1 * 100) / 100,
      load5: Math.round(load1 * 90) / 100,
      load15: Math.round(load1 * 80) / 100,
      memUsed: Math.round(this.memUsed),
      memTotal: this.memTotal,
      swapUsed: 0,
      swapTotal: 0,
      disks: [{ mount: '/', used: Math.round(this.diskUsed), total: this.diskTotal }],
      netRx: Math.round(r() * 50_000 + this.busy * 200_000),
      netTx: Math.round(r() * 20_000 + this.busy * 80_000),
      uptime: Math.floor((now - this.bootAt) / 1000),
      openclaw:
        this.openclawPid === null
          ? null
          : {
              pid: this.openclawPid,
              cpu: Math.round((r() * 2 + this.busy * 25) * 100) / 100,
              rss: 9e8 + Math.round(r() * 2e8),
            },
    };
  }
}
