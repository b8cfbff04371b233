import { describe, expect, it, vi } from 'vitest';
import type { Db } from '../db/index.js';
import type { LiveSink } from '../live/sink.js';
import { Fleet } from './fleet.js';

function fleetWithSink() {
  const frames: { to: string[]; event: string; payload: unknown; droppable?: boolean }[] = [];
  const fleet = new Fleet({} as Db, 60_000);
  fleet.live = { emit: (to, event, payload, droppable) => frames.push({ to, event, payload, droppable }) } as LiveSink;
  fleet.add({
    id: 'inst-a',
    client_id: 'cl-a',
    hostname: 'a',
    presence: 'online',
    last_seen: new Date(),
    paused: false,
    openclaw: null,
  });
  return { fleet, frames };
}

describe('fleet live metrics frames', () => {
  it('sends a frame on arrival, to the fleet, client and instance rooms, droppable', () => {
    const { fleet, frames } = fleetWithSink();
    fleet.liveMetrics('inst-a', { cpu: 12 }, new Date(1_000));
    expect(frames).toEqual([
      {
        to: ['fleet', 'client:cl-a', 'instance:inst-a'],
        event: 'metrics',
        payload: { instanceId: 'inst-a', t: new Date(1_000).toISOString(), values: { cpu: 12 } },
        droppable: true,
      },
    ]);
    // The snapshot waits for the commit.
    expect(fleet.get('inst-a')?.metrics).toEqual({});
    fleet.setMetrics('inst-a', { cpu: 12 }, new Date(1_000));
    expect(fleet.get('inst-a')?.metrics).toEqual({ cpu: 12 });
    expect(frames).toHaveLength(1);
  });

  it('does not resend a replayed or duplicate sample, and sends at most one frame a second', () => {
    vi.useFakeTimers({ now: 100_000 });
    try {
      const { fleet, frames } = fleetWithSink();
      fleet.liveMetrics('inst-a', { cpu: 1 }, new Date(50_000));
      fleet.liveMetrics('inst-a', { cpu: 2 }, new Date(51_000)); // within the same second
      vi.advanceTimersByTime(1_500);
      fleet.liveMetrics('inst-a', { cpu: 3 }, new Date(50_000)); // duplicate
      fleet.liveMetrics('inst-a', { cpu: 4 }, new Date(40_000)); // replay of older data
      fleet.liveMetrics('inst-b', { cpu: 5 }, new Date(52_000)); // unknown instance
      fleet.liveMetrics('inst-a', { cpu: 6 }, new Date(52_000));
      expect(frames.map((f) => (f.payload as { values: { cpu: number } }).values.cpu)).toEqual([1, 6]);
    } finally {
      vi.useRealTimers();
    }
  });
});
