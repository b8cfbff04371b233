import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub } from '../../../hub/src/hub.js';
import { FakeHetzner } from '../../../hub/src/testing/hetzner-fake.js';
import { FakeTailscale } from '../../../hub/src/testing/tailscale-fake.js';
import { VpsSimulator } from '../../../hub/src/testing/vps-sim.js';
import { type BenchResult, round } from '../results.js';

/**
 * Delays of a real deploy, from public figures (hub/README and the Hetzner notes): a stock
 * Debian image is running in ~10 s, a snapshot in ~25 s (snapshots restore slower); cloud-init
 * plus installing and joining Tailscale ~15 s; Node 24 (~10 s) and `npm install -g openclaw`
 * (~33 s measured on these machines) plus the installer ~5 s. A prepared snapshot has all that
 * installed: joining takes ~5 s and the install is only the sidecar's config (~2 s).
 */
const DELAYS = {
  bootStock: 10_000,
  bootSnapshot: 25_000,
  joinStock: 15_000,
  joinSnapshot: 5_000,
  installStock: 48_000,
  installSnapshot: 2_000,
};

/**
 * `provision.seconds_to_live`: from `POST /clients/:id/deployments` to the deployment's `live`,
 * through the real hub and deployment job against the local Hetzner and Tailscale APIs with the
 * delays above; the "server" runs its user data (VpsSimulator) and a real sidecar connects.
 */
export async function provisionBenchmark(log: (s: string) => void, scale = 1): Promise<BenchResult[]> {
  const tailscale = new FakeTailscale({ tailnet: 'bench.example' });
  const sim = new VpsSimulator(tailscale);
  const snapshotIds = new Set<number>();
  const hetzner = new FakeHetzner({
    bootMs: (type) => (type === 'snapshot' ? DELAYS.bootSnapshot : DELAYS.bootStock) * scale,
    actionMs: 500,
    latencyMs: 40,
    onBoot: sim.boot,
    onDelete: (s) => sim.halt(s.id),
  });
  sim.joinMs = (s) => (snapshotIds.has(s.image) ? DELAYS.joinSnapshot : DELAYS.joinStock) * scale;
  sim.installMs = (s) => (snapshotIds.has(s.image) ? DELAYS.installSnapshot : DELAYS.installStock) * scale;
  await Promise.all([hetzner.start(), tailscale.start()]);
  const snap = hetzner.addSnapshot('deepsignal prepared: node 24, openclaw, sidecar', {
    'deepsignal/role': 'prepared',
  });
  snapshotIds.add(snap);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-provision-'));
  const hub = await startHub({
    httpPort: 0,
    mqttPort: 0,
    dataDir,
    logLevel: 'silent',
    adminEmail: 'bench@test.local',
    adminPassword: 'bench-password-1',
    hetznerToken: 'test-token',
    hetznerUrl: hetzner.url,
    tailscaleApiKey: 'tskey-api-test',
    tailscaleTailnet: 'bench.example',
    tailscaleUrl: tailscale.url,
    deployPollMs: 1000,
    // One pre-booted server from the prepared snapshot in nbg1 (the other cases deploy in fsn1).
    warmPool: 'nbg1:1',
    warmPoolImage: String(snap),
  });
  const api = async <T>(method: string, p: string, body?: unknown, token?: string): Promise<T> => {
    const res = await fetch(`${hub.httpUrl}/api/v1${p}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as T;
  };
  try {
    const { token } = await api<{ token: string }>('POST', '/auth/login', {
      email: 'bench@test.local',
      password: 'bench-password-1',
    });
    // The sidecar bundle is built once per hub start: not part of a deploy.
    await hub.ctx.deployments?.artifacts.sidecarBundle();
    const timeToLive = async (image?: string, location = 'fsn1') => {
      const client = (
        await api<{ id: string }>('POST', '/clients', { name: 'Bench', industry: '', plan: 'starter' }, token)
      ).id;
      const t0 = performance.now();
      const d = await api<{ id: string }>(
        'POST',
        `/clients/${client}/deployments`,
        { location, serverType: 'cx22', ...(image ? { image } : {}) },
        token,
      );
      for (;;) {
        const x = await api<{ status: string; error: { message: string } | null }>(
          'GET',
          `/deployments/${d.id}`,
          undefined,
          token,
        );
        if (x.status === 'live') return (performance.now() - t0) / 1000;
        if (x.status === 'failed') throw new Error(`deployment failed: ${x.error?.message}`);
        if (performance.now() - t0 > 600_000) throw new Error('deployment not live after 10 minutes');
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    // The pool fills in the background before any deploy asks (not part of a deploy's time).
    const t0 = performance.now();
    for (;;) {
      const p = await api<{ locations: { location: string; ready: number }[] }>(
        'GET',
        '/deploy/pool',
        undefined,
        token,
      );
      if (p.locations.find((l) => l.location === 'nbg1')?.ready === 1) break;
      if (performance.now() - t0 > 600_000) throw new Error('the warm pool did not fill within 10 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    log(`  warm pool filled (1 server in nbg1) in ${round((performance.now() - t0) / 1000, 1)} s`);
    const cold = await timeToLive();
    log(`  cold (stock Debian, everything installed at boot): ${round(cold, 1)} s`);
    const prepared = await timeToLive(String(snap));
    log(`  from a prepared snapshot: ${round(prepared, 1)} s`);
    const warm = await timeToLive(undefined, 'nbg1');
    log(`  from the warm pool (a pre-booted server taken and configured): ${round(warm, 1)} s`);
    const note = `fake Hetzner/Tailscale with real-world delays x${scale} (boot ${DELAYS.bootStock / 1000}/${DELAYS.bootSnapshot / 1000} s stock/snapshot, join ${DELAYS.joinStock / 1000}/${DELAYS.joinSnapshot / 1000} s, install ${DELAYS.installStock / 1000}/${DELAYS.installSnapshot / 1000} s); real hub, real sidecar`;
    return [
      { name: 'provision.seconds_to_live_cold', value: round(cold, 1), unit: 's', goal: '< 120 s', note },
      { name: 'provision.seconds_to_live_snapshot', value: round(prepared, 1), unit: 's', goal: '< 60 s', note },
      {
        name: 'provision.seconds_to_live_warm',
        value: round(warm, 1),
        unit: 's',
        goal: '< 60 s',
        note: `${note}; a warm-pool server (DS_WARM_POOL) from the prepared snapshot, booted and joined before the deploy`,
      },
    ];
  } finally {
    await sim.dispose();
    await hub.stop();
    await Promise.all([hetzner.stop(), tailscale.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
