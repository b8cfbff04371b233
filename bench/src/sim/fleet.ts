import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COLLECTORS } from '../../../sidecar/src/collectors/registry.js';
import type { CollectorFactory } from '../../../sidecar/src/collectors/types.js';
import type { ConsoleSpawn } from '../../../sidecar/src/console/manager.js';
import { silentLogger } from '../../../sidecar/src/log.js';
import { type Sidecar, startSidecar } from '../../../sidecar/src/sidecar.js';
import type { InstanceCreds } from '../load/lite-sidecar.js';
import { type OpenclawSimOptions, SimulatedGateway } from './openclaw-sim.js';
import { SyntheticMachine } from './synthetic-metrics.js';

/** Options of a simulated fleet. */
export interface FleetOptions {
  /** Broker URL every sidecar connects to. */
  hub: string;
  hubKey: string;
  instances: InstanceCreds[];
  openclaw?: OpenclawSimOptions;
  sampleIntervalMs?: number;
  batchIntervalMs?: number;
  /** Where outboxes live; default a fresh folder on tmpfs when there is one (see below). */
  stateRoot?: string;
  /** Sidecars started per second while ramping up (default 200). */
  rampPerSec?: number;
}

/** The unprivileged user simulated consoles run as when the simulation runs as root. */
const NOBODY = 65534;

/**
 * A small OpenClaw state folder for one simulated instance, laid out as the real one (config,
 * workspace persona files, an agent folder), so backups have something real to archive and the
 * sidecar sees OpenClaw as installed.
 */
function writeOpenclawHome(dir: string, instanceId: string): string {
  mkdirSync(path.join(dir, 'workspace'), { recursive: true });
  mkdirSync(path.join(dir, 'agents', 'main', 'agent'), { recursive: true });
  const config = path.join(dir, 'openclaw.json');
  if (!existsSync(config))
    writeFileSync(
      config,
      `${JSON.stringify(
        {
          gateway: { port: 18789, bind: 'loopback', auth: { mode: 'token', token: `sim-${instanceId}` } },
          agents: { defaults: { model: { primary: 'anthropic/claude-sonnet-4-5' } } },
          channels: { telegram: { enabled: true }, whatsapp: { enabled: true }, slack: { enabled: true } },
        },
        null,
        2,
      )}\n`,
      { mode: 0o600 },
    );
  for (const [name, text] of [
    ['SOUL.md', '# Persona\nFriendly, brief, answers in the language of the question.\n'],
    ['AGENTS.md', '# Rules\nNever promise a refund; hand over to a person when asked.\n'],
  ])
    if (!existsSync(path.join(dir, 'workspace', name))) writeFileSync(path.join(dir, 'workspace', name), text);
  return config;
}

/**
 * A folder of its own for the instance's console, owned by an unprivileged user when this runs as
 * root: the shell is on the simulation's host (there is no VPS behind a simulated instance), so it
 * is confined to that folder's user and says so before the first prompt.
 */
export function consoleSpawnFor(stateDir: string, name: string): ConsoleSpawn {
  const home = path.join(stateDir, 'console-home');
  mkdirSync(home, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // Traversable, not readable: the unprivileged shell reaches its home, not the outbox or secret.
    chmodSync(path.dirname(stateDir), 0o711);
    chmodSync(stateDir, 0o711);
    chownSync(home, NOBODY, NOBODY);
  }
  const user = asRoot ? 'nobody' : (process.env.USER ?? 'this user');
  return {
    cwd: home,
    env: { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', USER: user, PS1: `${name}$ `, LANG: 'C.UTF-8' },
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    banner:
      `Simulated instance ${name}: there is no VPS behind it.\n` +
      `This shell runs on the simulation's host as ${user}, in ${home}.`,
  };
}

/** Collectors that read the real machine; the simulation replaces them with synthetic ones. */
const MACHINE_COLLECTORS = new Set(['system', 'process']);

/** A synthetic machine as a collector: every field the system and process collectors give. */
function syntheticCollector(machine: SyntheticMachine, gw: SimulatedGateway): CollectorFactory {
  return {
    name: 'synthetic',
    create: () => ({
      name: 'synthetic',
      sample: (now: number) => {
        machine.busy = gw.busy;
        machine.openclawPid = gw.connected ? 4242 : null;
        return machine.sample(now);
      },
    }),
  };
}

/** One simulated instance: the real sidecar with a simulated OpenClaw and machine. */
export interface SimInstance {
  creds: InstanceCreds;
  sidecar: Sidecar;
  gateway: SimulatedGateway;
  machine: SyntheticMachine;
}

/**
 * N simulated instances in this process: each runs the real sidecar code (`startSidecar`: outbox,
 * MQTT link with its own connection and credentials, batching, command dispatcher, the OpenClaw
 * collectors) with a simulated OpenClaw gateway and synthetic machine metrics. One 1 s timer
 * drives every simulated gateway. Outboxes go to tmpfs (/dev/shm) when available: thousands of
 * fsyncs per second on one disk would measure this machine's disk, not the hub.
 */
export class Fleet {
  readonly members: SimInstance[] = [];
  private ticker?: NodeJS.Timeout;
  private readonly ownRoot: boolean;
  readonly stateRoot: string;

  constructor(private readonly o: FleetOptions) {
    this.ownRoot = !o.stateRoot;
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    this.stateRoot = o.stateRoot ?? mkdtempSync(path.join(base, 'ds-fleet-'));
  }

  /** Starts every instance, `rampPerSec` at a time. */
  async start(onProgress?: (started: number) => void): Promise<void> {
    this.ticker ??= setInterval(() => {
      const now = Date.now();
      for (const m of this.members) m.gateway.tick(now);
    }, 1000);
    const perSec = this.o.rampPerSec ?? 200;
    const others = COLLECTORS.filter((c) => !MACHINE_COLLECTORS.has(c.name));
    for (let i = 0; i < this.o.instances.length; i++) {
      const t0 = performance.now();
      await this.add(this.o.instances[i], others);
      if ((i + 1) % perSec === 0) {
        onProgress?.(i + 1);
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - t0) * perSec)));
      }
    }
  }

  private async add(creds: InstanceCreds, others: readonly CollectorFactory[]): Promise<SimInstance> {
    const machine = new SyntheticMachine(creds.id);
    const stateDir = path.join(this.stateRoot, creds.id);
    mkdirSync(stateDir, { recursive: true });
    // Each instance has its own OpenClaw folder and its own gateway log, never this host's.
    const logDir = path.join(stateDir, 'openclaw-logs');
    const openclawConfig = writeOpenclawHome(path.join(stateDir, 'openclaw'), creds.id);
    const gateway = new SimulatedGateway(creds.id, { ...this.o.openclaw, logDir });
    const sidecar = await startSidecar(
      {
        hub: this.o.hub,
        instanceId: creds.id,
        secret: creds.secret,
        hubKey: this.o.hubKey,
        stateDir,
        sampleIntervalMs: this.o.sampleIntervalMs ?? 1000,
        batchIntervalMs: this.o.batchIntervalMs ?? 5000,
        openclawConfig,
        openclawLogDir: logDir,
      },
      {
        collectors: [syntheticCollector(machine, gateway), ...others],
        gateway,
        log: silentLogger,
        hostname: `sim-${creds.id}`,
        consoleSpawn: consoleSpawnFor(stateDir, creds.id),
      },
    );
    const m = { creds, sidecar, gateway, machine };
    this.members.push(m);
    return m;
  }

  /** Sum of every sidecar's counters that matter for a report. */
  stats(): { connected: number; held: number; acked: number } {
    let connected = 0;
    let held = 0;
    let acked = 0;
    for (const m of this.members) {
      if (m.sidecar.link.connected) connected++;
      held += m.sidecar.outbox.size();
      acked += m.sidecar.outbox.counters.acked;
    }
    return { connected, held, acked };
  }

  /** Stops every sidecar and removes the outboxes this fleet created. */
  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    const all = this.members.splice(0);
    for (let i = 0; i < all.length; i += 100)
      await Promise.all(all.slice(i, i + 100).map((m) => m.sidecar.stop().catch(() => {})));
    if (this.ownRoot) rmSync(this.stateRoot, { recursive: true, force: true });
  }
}
