import { describe, expect, it } from 'vitest';
import type { Catalogue, Instance, InstanceServer } from '../hub-types.js';
import { nextServerType, priceText, serverDead, sustained } from './fleet-rules.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const at = (secAgo: number) => new Date(NOW - secAgo * 1000).toISOString();
const every30 = (sec: number, v: (k: number, n: number) => number): [string, number][] => {
  const n = Math.floor(sec / 30) + 1;
  return Array.from({ length: n }, (_, k) => [at((n - 1 - k) * 30), v(k, n)]);
};

const type = (name: string, cores: number, memoryGb: number, price: number) => ({
  name,
  cores,
  memoryGb,
  diskGb: 40,
  cpuType: 'shared',
  architecture: 'x86',
  monthlyPrice: { fsn1: price },
});
const cat: Catalogue = {
  locations: [{ name: 'fsn1', country: 'DE' }],
  serverTypes: [
    type('cx22', 2, 4, 4.51),
    type('cx32', 4, 8, 8.09),
    type('cx42', 8, 16, 19.63),
    type('cpx11', 2, 2, 5.18),
  ],
};

describe('sustained', () => {
  it('is true only when every point over the whole window is beyond the threshold', () => {
    expect(
      sustained(
        every30(1800, () => 95),
        { now: NOW, windowSec: 1800, above: 85 },
      ).yes,
    ).toBe(true);
    // One spike is not pressure; one dip breaks it.
    expect(
      sustained(
        every30(1800, (k, n) => (k === n - 1 ? 99 : 40)),
        { now: NOW, windowSec: 1800, above: 85 },
      ).yes,
    ).toBe(false);
    expect(
      sustained(
        every30(1800, (k) => (k === 10 ? 60 : 95)),
        { now: NOW, windowSec: 1800, above: 85 },
      ).yes,
    ).toBe(false);
  });

  it('needs history covering the window: a few minutes of high samples are not enough', () => {
    expect(
      sustained(
        every30(300, () => 99),
        { now: NOW, windowSec: 1800, above: 85 },
      ).yes,
    ).toBe(false);
    expect(sustained([[at(10), 99]], { now: NOW, windowSec: 1800, above: 85 }).yes).toBe(false);
    expect(sustained([], { now: NOW, windowSec: 1800, below: 10 }).yes).toBe(false);
  });
});

describe('serverDead', () => {
  const inst = (over: Partial<Instance> = {}): Instance => ({
    id: 'inst-1',
    clientId: 'cli-1',
    hostname: 'vps-1',
    status: 'offline',
    lastSeen: at(120),
    metrics: {},
    metricsAt: null,
    openclaw: null,
    ...over,
  });
  const server = (over: Partial<InstanceServer> = {}): InstanceServer => ({
    instanceId: 'inst-1',
    provider: 'hetzner',
    serverId: 1001,
    serverName: 'ds-inst-1',
    serverType: 'cx22',
    location: 'fsn1',
    monthlyPrice: 4.51,
    state: 'running',
    deploymentId: 'dep-1',
    operation: null,
    providerStatus: 'running',
    ...over,
  });
  const p = { failoverAfterSec: 600 };

  it('is dead at once when the provider no longer has the server, else after the threshold', () => {
    expect(serverDead(inst(), server({ providerStatus: 'deleted' }), NOW, p).dead).toBe(true);
    expect(serverDead(inst(), server(), NOW, p).dead).toBe(false);
    expect(serverDead(inst({ lastSeen: at(601) }), server(), NOW, p)).toMatchObject({ dead: true, offlineSec: 601 });
  });

  it('never for an online instance, a server being changed, or one the hub did not deploy', () => {
    expect(serverDead(inst({ status: 'online' }), server({ providerStatus: 'deleted' }), NOW, p).dead).toBe(false);
    expect(serverDead(inst({ lastSeen: at(3600) }), server({ state: 'resizing' }), NOW, p).dead).toBe(false);
    expect(serverDead(inst({ lastSeen: at(3600) }), null, NOW, p).dead).toBe(false);
  });
});

describe('nextServerType', () => {
  it('goes up to the cheapest larger type of the same family, with the price difference', () => {
    const t = nextServerType(cat, 'cx22', 'fsn1', { dir: 'up', short: 'memory' });
    expect(t).toMatchObject({ from: 'cx22', to: 'cx32', monthlyDelta: 3.58 });
    expect(priceText(t!)).toBe('+3.58 EUR/month (4.51 → 8.09)');
    expect(nextServerType(cat, 'cx42', 'fsn1', { dir: 'up', short: 'cpu' })).toBeNull();
  });

  it('goes down to the largest smaller type that still holds the memory in use', () => {
    expect(nextServerType(cat, 'cx42', 'fsn1', { dir: 'down', memoryUsedPct: 10 })).toMatchObject({
      to: 'cx32',
      monthlyDelta: -11.54,
    });
    // 40 % of 16 GB is 6.4 GB: more than 60 % of 8 GB, so no smaller type fits.
    expect(nextServerType(cat, 'cx42', 'fsn1', { dir: 'down', memoryUsedPct: 40 })).toBeNull();
    // The smallest of its family has nowhere to go.
    expect(nextServerType(cat, 'cx22', 'fsn1', { dir: 'down', memoryUsedPct: 1 })).toBeNull();
  });
});
