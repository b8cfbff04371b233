import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MetricSample } from '@deepsignal/protocol';
import { COLLECTORS } from '../../../sidecar/src/collectors/registry.js';
import type { CollectorFactory } from '../../../sidecar/src/collectors/types.js';
import { HANDLERS } from '../../../sidecar/src/commands/registry.js';
import type { CommandHandler } from '../../../sidecar/src/commands/types.js';
import { silentLogger } from '../../../sidecar/src/log.js';
import { type Sidecar, startSidecar } from '../../../sidecar/src/sidecar.js';
import { type OpenclawSimOptions, SimulatedGateway } from '../sim/openclaw-sim.js';
import { SyntheticMachine } from '../sim/synthetic-metrics.js';

/** Settings of one recorded simulated instance. */
export interface SimInstanceOptions {
  hub: string;
  instanceId: string;
  secret: string;
  hubKey: string;
  stateDir: string;
  sampleIntervalMs?: number;
  batchIntervalMs?: number;
  outboxMaxMb?: number;
  openclaw?: OpenclawSimOptions;
  /** Append each produced sample's `t` and each command run to this file (survives kill -9). */
  recordFile?: string;
  /** Extra bytes per sample (long disk mount names), to fill an outbox quickly. */
  padSamples?: boolean;
  /** Changes each sample before it is sent (an incident: a filling disk, a leak). */
  adjustSample?: (s: MetricSample, gateway: SimulatedGateway) => MetricSample;
  /** Replaces command handlers (given the gateway), e.g. a service manager's restart of a crashed gateway. */
  handlers?: (gateway: SimulatedGateway) => Record<string, CommandHandler>;
  /** The gateway's URL the sidecar checks readiness at (`/readyz`). */
  openclawUrl?: string;
  /** Write an OpenClaw config file, so the sidecar knows OpenClaw is installed even while it is down. */
  openclawInstalled?: boolean;
  /** How often the sidecar polls the gateway's state (the sidecar's default when unset). */
  openclawPollMs?: number;
}

/** A real sidecar with a simulated OpenClaw that records what it produced and ran. */
export interface SimInstance {
  sidecar: Sidecar;
  gateway: SimulatedGateway;
  /** `t` of every sample the collector produced, in order. */
  produced: number[];
  /** Command ids the ping handler ran, in order (a repeat means a command ran twice). */
  ran: string[];
  stop(): Promise<void>;
}

/**
 * Starts `startSidecar` with a synthetic machine and a simulated gateway, recording every sample
 * produced and every command run (in memory and, with `recordFile`, on disk line by line), so a
 * test can compare them with what the hub stored.
 */
export async function startSimInstance(o: SimInstanceOptions): Promise<SimInstance> {
  const machine = new SyntheticMachine(o.instanceId);
  // The simulated gateway writes its own log, which the sidecar follows (never this host's logs).
  const logDir = path.join(o.stateDir, 'openclaw-logs');
  const gateway = new SimulatedGateway(o.instanceId, {
    meanChatIntervalSec: 3,
    logLinesPerSec: 1,
    logDir,
    ...o.openclaw,
  });
  const produced: number[] = [];
  const ran: string[] = [];
  const record = (line: string) => o.recordFile && appendFileSync(o.recordFile, `${line}\n`);
  const synthetic: CollectorFactory = {
    name: 'synthetic',
    create: () => ({
      name: 'synthetic',
      sample: (now: number) => {
        machine.busy = gateway.busy;
        const s = o.adjustSample ? o.adjustSample(machine.sample(now), gateway) : machine.sample(now);
        if (o.padSamples)
          s.disks = Array.from({ length: 16 }, (_, i) => ({ mount: `/${'x'.repeat(200)}${i}`, used: 1, total: 2 }));
        produced.push(now);
        record(`s ${now}`);
        return s;
      },
    }),
  };
  const ping: CommandHandler = async (ctx) => {
    ran.push(ctx.command.id);
    record(`c ${ctx.command.id}`);
    return HANDLERS.ping(ctx);
  };
  const openclawConfig = path.join(o.stateDir, o.openclawInstalled ? 'openclaw.json' : 'no-openclaw.json');
  if (o.openclawInstalled) writeFileSync(openclawConfig, '{}\n');
  const ticker = setInterval(() => gateway.tick(Date.now()), 1000);
  const sidecar = await startSidecar(
    {
      hub: o.hub,
      instanceId: o.instanceId,
      secret: o.secret,
      hubKey: o.hubKey,
      stateDir: o.stateDir,
      sampleIntervalMs: o.sampleIntervalMs ?? 1000,
      batchIntervalMs: o.batchIntervalMs ?? 1000,
      outboxMaxMb: o.outboxMaxMb ?? 64,
      replayRate: 200,
      openclawLogDir: logDir,
      openclawConfig,
      ...(o.openclawUrl ? { openclawUrl: o.openclawUrl } : {}),
      ...(o.openclawPollMs ? { openclawPollMs: o.openclawPollMs } : {}),
    },
    {
      collectors: [synthetic, ...COLLECTORS.filter((c) => c.name !== 'system' && c.name !== 'process')],
      gateway,
      handlers: { ...HANDLERS, ping, ...o.handlers?.(gateway) },
      log: silentLogger,
      backoffMs: { min: 200, max: 1000 },
      ackTimeoutMs: 5000,
    },
  );
  return {
    sidecar,
    gateway,
    produced,
    ran,
    async stop() {
      clearInterval(ticker);
      await sidecar.stop();
    },
  };
}
