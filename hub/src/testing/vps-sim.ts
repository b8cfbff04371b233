import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { fileFromUserData } from '../deploy/cloud-init.js';
import type { FakeServer } from './hetzner-fake.js';
import type { FakeTailscale } from './tailscale-fake.js';

/** A real OpenClaw gateway run for a simulated server (see {@link VpsSimulator.openclaw}). */
export interface SimGateway {
  wsUrl: string;
  /** OpenClaw's config file as the gateway runs it (the sidecar reads its token there). */
  configPath: string;
  /** Directory of the gateway's daily log file. */
  logDir: string;
  stop(): Promise<void>;
}

/** Starts a gateway from the OpenClaw config the server's user data writes. */
export type GatewayStarter = (o: { server: FakeServer; config: Record<string, unknown> }) => Promise<SimGateway>;

/** Where the user data puts OpenClaw's config (cloud-init.ts). */
const OPENCLAW_CONFIG = '/var/lib/openclaw/.openclaw/openclaw.json';

/** What one simulated server did with its user data. */
export interface BootedServer {
  server: FakeServer;
  dir: string;
  sidecarJson: Record<string, string>;
  sidecarJsonMode: number;
  /** OpenClaw's state directory on this server (what backups take and restores replace). */
  openclawDir: string;
  /** OpenClaw's config as the user data writes it. */
  openclawConfig: Record<string, unknown> | null;
  sidecar: ChildProcess | null;
  /** The real gateway, when the simulator runs one. */
  gateway: SimGateway | null;
  stderr: () => string;
}

/**
 * Stands in for a server booting its user data, as far as it can run here: joins the (fake)
 * tailnet with the auth key from /etc/deepsignal/tailscale-authkey, writes
 * /etc/deepsignal/sidecar.json exactly as the user data has it (mode included) into a temp root,
 * fetches the sidecar bundle from the hub URL in bootstrap.env and checks its sha256, then runs
 * that bundle with `--config` pointing at the file. No OpenClaw by default (the gateway is
 * unreachable); with {@link openclaw} set, a real gateway is started from the OpenClaw config the
 * user data writes, and the sidecar is attached to it as on a real server.
 * Used by the deploy tests and the provisioning benchmark.
 */
export class VpsSimulator {
  readonly booted = new Map<number, BootedServer>();
  /** Server names whose sidecar is never started (a server that cannot reach the hub). */
  readonly noSidecar = new Set<string>();
  /** Server names that never join the tailnet. */
  readonly noJoin = new Set<string>();
  /** No server starts its sidecar. */
  noSidecarAll = false;
  /**
   * Time the bootstrap spends installing before the sidecar starts (apt, Node, `npm install -g
   * openclaw`): 0 in tests; the benchmark uses what a real server takes, less from a prepared
   * snapshot where everything is installed already.
   */
  installMs: (s: FakeServer) => number = () => 0;
  /** Time from boot to the tailnet join (cloud-init start, Tailscale install/up). */
  joinMs: (s: FakeServer) => number = () => 0;
  errors: string[] = [];
  /**
   * Off by default. When set, each server runs a real OpenClaw gateway started by this function
   * from its user data's openclaw.json (what `bootstrap.sh` installs and starts as a unit), so
   * config.apply and chats reach a real agent.
   */
  openclaw: GatewayStarter | null = null;
  /** The sidecars' log level (`DS_LOG_LEVEL`); `info` tells what a change and the gateway link did. */
  sidecarLogLevel: 'debug' | 'info' | 'warn' | 'error' = 'warn';
  /** How much of each sidecar's stderr is kept (the newest characters). */
  stderrLimit = 10_000;

  constructor(private readonly tailscale: FakeTailscale) {}

  boot = async (s: FakeServer): Promise<void> => {
    try {
      await this.run(s);
    } catch (e) {
      this.errors.push(`${s.name}: ${(e as Error).message}`);
    }
  };

  private async run(s: FakeServer) {
    const file = (p: string) => {
      const f = fileFromUserData(s.userData, p, parse);
      if (!f) throw new Error(`user data writes no ${p}`);
      return f;
    };
    if (this.noJoin.has(s.name)) return;
    await new Promise((r) => setTimeout(r, this.joinMs(s)));
    const authKey = file('/etc/deepsignal/tailscale-authkey').content.trim();
    this.tailscale.join(authKey, s.name);
    const dir = mkdtempSync(path.join(tmpdir(), `vps-${s.name}-`));
    const conf = file('/etc/deepsignal/sidecar.json');
    const confPath = path.join(dir, 'sidecar.json');
    writeFileSync(confPath, conf.content, { mode: Number.parseInt(conf.permissions ?? '644', 8) });
    const env = Object.fromEntries(
      file('/etc/deepsignal/bootstrap.env')
        .content.trim()
        .split('\n')
        .map((l) => l.split(/=(.*)/s, 2) as [string, string]),
    );
    // As the bootstrap's curl --retry: the hub may be restarting.
    const get = async (p: string) => {
      const end = Date.now() + 180_000;
      for (;;) {
        try {
          const res = await fetch(`${env.DS_HUB_URL}${p}`);
          if (res.ok) return Buffer.from(await res.arrayBuffer());
        } catch {}
        if (Date.now() > end) throw new Error(`could not fetch ${p}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    const body = await get('/deploy/sidecar.mjs');
    if (createHash('sha256').update(body).digest('hex') !== env.DS_BUNDLE_SHA256)
      throw new Error('bundle checksum mismatch');
    const installer = await get('/deploy/install.sh');
    if (createHash('sha256').update(installer).digest('hex') !== env.DS_INSTALLER_SHA256)
      throw new Error('installer checksum mismatch');
    const bundlePath = path.join(dir, 'deepsignal-sidecar.mjs');
    writeFileSync(bundlePath, body);
    const oc = fileFromUserData(s.userData, OPENCLAW_CONFIG, parse);
    const b: BootedServer = {
      server: s,
      dir,
      sidecarJson: JSON.parse(conf.content),
      sidecarJsonMode: statSync(confPath).mode & 0o777,
      openclawDir: path.join(dir, 'openclaw'),
      openclawConfig: oc ? (JSON.parse(oc.content) as Record<string, unknown>) : null,
      sidecar: null,
      gateway: null,
      stderr: () => '',
    };
    mkdirSync(b.openclawDir, { recursive: true });
    this.booted.set(s.id, b);
    if (this.noSidecarAll || this.noSidecar.has(s.name)) return;
    await new Promise((r) => setTimeout(r, this.installMs(s)));
    if (this.openclaw) {
      if (!b.openclawConfig) throw new Error(`user data writes no ${OPENCLAW_CONFIG}`);
      b.gateway = await this.openclaw({ server: s, config: b.openclawConfig });
    }
    // The server may have been deleted while its gateway started.
    if (!this.booted.has(s.id) || this.halted.has(s.id)) {
      await b.gateway?.stop();
      return;
    }
    const child = spawn(process.execPath, [bundlePath, '--config', confPath], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        DS_STATE_DIR: path.join(dir, 'state'),
        DS_OPENCLAW_URL: b.gateway?.wsUrl ?? 'ws://127.0.0.1:9',
        DS_OPENCLAW_CONFIG: b.gateway?.configPath ?? path.join(dir, 'no-openclaw.json'),
        // Its own state directory, apart from the sidecar's files, as on a real server.
        OPENCLAW_STATE_DIR: b.openclawDir,
        DS_OPENCLAW_LOG_DIR: b.gateway?.logDir ?? path.join(dir, 'no-logs'),
        DS_BATCH_INTERVAL_MS: '500',
        DS_LOG_LEVEL: this.sidecarLogLevel,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d) => {
      err = (err + d).slice(-this.stderrLimit);
    });
    b.sidecar = child;
    b.stderr = () => err;
  }

  private readonly halted = new Set<number>();

  /** Stops the sidecar (and gateway) of a server (the server was deleted). */
  async halt(serverId: number) {
    this.halted.add(serverId);
    const b = this.booted.get(serverId);
    const gw = b?.gateway;
    if (b) b.gateway = null;
    await gw?.stop();
    if (!b?.sidecar || b.sidecar.exitCode !== null || b.sidecar.signalCode !== null) return;
    const exited = new Promise((r) => b.sidecar?.once('exit', r));
    b.sidecar.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    if (b.sidecar.exitCode === null && b.sidecar.signalCode === null) b.sidecar.kill('SIGKILL');
  }

  async dispose() {
    for (const id of this.booted.keys()) await this.halt(id);
    for (const b of this.booted.values()) rmSync(b.dir, { recursive: true, force: true });
  }
}
