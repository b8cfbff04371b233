import type { TestHub } from '../helpers/hub.js';

/** A fake clock the alert engine, grouping and retries read (the hub's timer is set to an hour). */
export function fakeClock(hub: TestHub, start = Date.now()) {
  let t = start;
  hub.ctx.alerts.now = () => t;
  return {
    get now() {
      return t;
    },
    advance(sec: number) {
      t += sec * 1000;
    },
  };
}

/** One evaluation and dispatch cycle, then the deliveries it made due. */
export async function cycle(hub: TestHub): Promise<void> {
  await hub.ctx.alerts.runOnce();
  await hub.ctx.alerts.delivery.kick();
}

export async function online(hub: TestHub, id: string) {
  await hub.ctx.fleet.setPresence(id, 'online');
}

export async function offline(hub: TestHub, id: string) {
  await hub.ctx.fleet.setPresence(id, 'offline');
}

export async function channel(hub: TestHub, body: Record<string, unknown>, token?: string) {
  const r = await hub.api<{ id: string; secret?: string }>('POST', '/notification-channels', body, token);
  if (r.status !== 201) throw new Error(`channel: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';

export async function alertsOf(hub: TestHub, query = '', token?: string) {
  const r = await hub.api<
    {
      id: string;
      ruleId: string;
      state: string;
      instanceId: string | null;
      silencedBy: string[];
      inhibitedBy: string | null;
      maintenance: string | null;
    }[]
  >('GET', `/alerts${query}`, undefined, token);
  return r.body;
}
