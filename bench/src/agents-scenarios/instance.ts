import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricSample } from '@deepsignal/protocol';
import { HANDLERS } from '../../../sidecar/src/commands/registry.js';
import type { CommandHandler } from '../../../sidecar/src/commands/types.js';
import { type SimInstance, startSimInstance } from '../fault/sim-instance.js';
import { TcpFaultProxy } from '../fault/tcp-proxy.js';
import type { SimulatedGateway } from '../sim/openclaw-sim.js';

/** Machine-level incidents, set and cleared while the instance runs. */
export interface MachineFaults {
  /** Root disk fills from where it is to this share (0..1) at `diskFillPerSec` a second. */
  diskFillTo: number | null;
  diskFillPerSec: number;
  /** The gateway's memory grows by this share of RAM a second until it restarts. */
  leakPerSec: number | null;
}

/** A simulated instance of the scenario fleet: the real sidecar, a simulated gateway, its faults. */
export interface ScenarioInstance {
  id: string;
  hostname: string;
  sim: SimInstance;
  gateway: SimulatedGateway;
  machine: MachineFaults;
  /** Cuts the server off the network at once (the broker sees the connection die): a dead server. */
  kill(): void;
  stop(): Promise<void>;
}

/**
 * The gateway's `/readyz` (the sidecar waits on it after a restart), answering from the simulated
 * gateway's state as the real one answers from its own.
 */
async function readyzServer(gateway: () => SimulatedGateway | undefined): Promise<Server> {
  const server = createServer((req, res) => {
    const ready = !!gateway()?.connected;
    res.writeHead(req.url === '/readyz' && ready ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ready, failing: ready ? [] : ['gateway'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

/**
 * `openclaw.restart` of a crashed gateway: the sidecar's own handler asks a connected gateway; a
 * crashed one is started again by its service manager (the systemd unit the installer sets up),
 * which this simulates with `relaunch`. The result has the handler's real shape.
 */
function restartHandler(gateway: SimulatedGateway): CommandHandler {
  return async (ctx) => {
    if (gateway.connected) return HANDLERS['openclaw.restart'](ctx);
    const t0 = ctx.now();
    gateway.relaunch();
    const up = await gateway.waitUp(Math.max(1000, ctx.deadline - ctx.now() - 500)).then(
      () => true,
      () => false,
    );
    return { method: 'systemctl restart openclaw-gateway.service', readyAfterMs: up ? ctx.now() - t0 : null };
  };
}

/** Applies the machine faults to a sample; a gateway restart gives leaked memory back. */
function faultySamples(m: MachineFaults) {
  let leakSince: number | null = null;
  let restarts = -1;
  let diskShare: number | null = null;
  return (s: MetricSample, gw: SimulatedGateway): MetricSample => {
    const root = s.disks?.[0];
    if (root && m.diskFillTo !== null) {
      diskShare = Math.min(m.diskFillTo, (diskShare ?? root.used / root.total) + m.diskFillPerSec);
      root.used = Math.round(root.total * diskShare);
    } else diskShare = null;
    const total = s.memTotal ?? 0;
    if (m.leakPerSec === null || !gw.connected || total === 0) {
      leakSince = null;
    } else {
      if (leakSince === null || restarts !== gw.produced.restarts) leakSince = s.t;
      restarts = gw.produced.restarts;
      const leaked = Math.min(0.9, ((s.t - leakSince) / 1000) * m.leakPerSec) * total;
      s.memUsed = Math.min(total, (s.memUsed ?? 0) + leaked);
      if (s.openclaw) s.openclaw.rss += leaked;
    }
    return s;
  };
}

/** Starts one instance of the scenario fleet, its MQTT connection through a proxy that `kill` cuts. */
export async function startScenarioInstance(o: {
  mqttUrl: string;
  hubKey: string;
  id: string;
  hostname: string;
  secret: string;
  stateDir: string;
}): Promise<ScenarioInstance> {
  let gw: SimulatedGateway | undefined;
  const readyz = await readyzServer(() => gw);
  const broker = new URL(o.mqttUrl);
  const proxy = new TcpFaultProxy({ host: broker.hostname, port: Number(broker.port) });
  await proxy.start();
  const machine: MachineFaults = { diskFillTo: null, diskFillPerSec: 0.02, leakPerSec: null };
  const sim = await startSimInstance({
    hub: proxy.url(),
    instanceId: o.id,
    secret: o.secret,
    hubKey: o.hubKey,
    stateDir: o.stateDir,
    openclaw: { meanChatIntervalSec: 4, logLinesPerSec: 0.5, restartDownSec: 2 },
    openclawUrl: `ws://127.0.0.1:${(readyz.address() as AddressInfo).port}`,
    adjustSample: faultySamples(machine),
    openclawPollMs: 2000,
    openclawInstalled: true,
    handlers: (g) => ({ 'openclaw.restart': restartHandler(g) }),
  });
  gw = sim.gateway;
  return {
    id: o.id,
    hostname: o.hostname,
    sim,
    gateway: sim.gateway,
    machine,
    kill: () => proxy.cut('reset'),
    async stop() {
      await sim.stop().catch(() => {});
      await proxy.close().catch(() => {});
      await new Promise<void>((r) => readyz.close(() => r()));
    },
  };
}
