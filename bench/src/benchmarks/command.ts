import { io } from 'socket.io-client';
import { api, startBenchHub } from '../hub/harness.js';
import { percentile } from '../load/lite-sidecar.js';
import { type BenchResult, round } from '../results.js';
import { Fleet } from '../sim/fleet.js';

/**
 * `command.p50_ms` / `command.p99_ms`: POST /instances/:id/commands {type:'ping'} until the
 * live stream reports `succeeded`, one command at a time, against one simulated instance (real
 * sidecar code) on loopback. The status comes from the hub's Socket.IO `command` event (what a
 * dashboard sees), with GET /commands/:id as a fallback when no event arrives within 5 s.
 */
export async function commandBenchmark(log: (s: string) => void, count = 1000): Promise<BenchResult[]> {
  const h = await startBenchHub({ mode: 'pg', instances: 1, prefix: 'cmd' });
  const fleet = new Fleet({ hub: h.hub.mqttUrl, hubKey: h.hub.hubPublicKey, instances: h.creds });
  const socket = io(h.hub.httpUrl, { path: '/socket.io', auth: { token: h.token }, transports: ['websocket'] });
  try {
    await fleet.start();
    const id = h.creds[0].id;
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error('live stream did not connect')), 10_000);
      socket.on('connect', () =>
        socket.emit('subscribe', { instanceId: id }, () => {
          clearTimeout(t);
          res();
        }),
      );
    });
    const until = Date.now() + 15_000;
    while (!fleet.members[0].sidecar.link.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const waiters = new Map<string, () => void>();
    const early = new Set<string>();
    socket.on('command', (e: { id: string; status: string }) => {
      if (e.status !== 'succeeded') return;
      const w = waiters.get(e.id);
      if (w) w();
      else early.add(e.id);
    });
    const lat: number[] = [];
    let fallbacks = 0;
    for (let i = 0; i < count + 20; i++) {
      const t0 = performance.now();
      const r = await api<{ id: string }>(h, 'POST', `/instances/${id}/commands`, { type: 'ping', params: {} });
      if (r.status !== 202) throw new Error(`command refused: ${r.status} ${JSON.stringify(r.body)}`);
      const cid = r.body.id;
      if (!early.delete(cid)) {
        const ok = await new Promise<boolean>((res) => {
          const t = setTimeout(() => res(false), 5000);
          waiters.set(cid, () => {
            clearTimeout(t);
            res(true);
          });
        });
        waiters.delete(cid);
        if (!ok) {
          fallbacks++;
          const g = await api<{ status: string }>(h, 'GET', `/commands/${cid}`);
          if (g.body.status !== 'succeeded') throw new Error(`ping ${cid} ended ${g.body.status}`);
        }
      }
      if (i >= 20) lat.push(performance.now() - t0); // first 20 warm the JIT and connections
    }
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    log(`  command ping: p50 ${round(p50, 1)} ms, p99 ${round(p99, 1)} ms over ${lat.length} (fallbacks ${fallbacks})`);
    const note = `${lat.length} sequential pings, API call → live 'succeeded' event, loopback, one simulated instance${fallbacks ? `; ${fallbacks} needed the GET fallback` : ''}.`;
    return [
      { name: 'command.p50_ms', value: round(p50, 1), unit: 'ms', goal: '<= 50', note },
      { name: 'command.p99_ms', value: round(p99, 1), unit: 'ms' },
    ];
  } finally {
    socket.close();
    await fleet.stop();
    await h.cleanup();
  }
}
