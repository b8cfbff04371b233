'use client';
/**
 * Usage figures across instances, computed from each instance's conversations. The hub has no
 * fleet-wide usage route, so this reads up to {@link MAX_INSTANCES} instances, a few at a time,
 * and says when it had to leave some out.
 */
import { useEffect, useState } from 'react';
import { fetchConversations } from './conversations';
import { toMs } from './time';
import type { Conversation, Instance } from './types';

export const MAX_INSTANCES = 50;
const CONCURRENCY = 4;

/** Totals of one instance over the window. */
export interface InstanceUsage {
  instanceId: string;
  clientId: string;
  tokens: number;
  cost: number;
  messages: number;
  replies: number;
  latencySum: number;
  /** Messages of the window, for time series. */
  items: Conversation[];
}

/** Usage of `instances` since `from`; `partial` is true when some instances were left out. */
export function useFleetUsage(instances: Instance[] | null, from: Date) {
  const [rows, setRows] = useState<InstanceUsage[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  // The fleet list changes every frame while metrics stream in; only a change in which
  // instances are counted (or the window) is a reason to read their conversations again.
  const ids = (instances ?? [])
    .slice(0, MAX_INSTANCES)
    .map((i) => `${i.id}:${i.clientId}`)
    .join(',');
  const waiting = instances === null;
  const fromMs = from.getTime();

  useEffect(() => {
    if (!ids) {
      setRows([]);
      setLoading(waiting);
      return;
    }
    let cancelled = false;
    const queue = ids.split(',').map((s) => s.split(':') as [string, string]);
    const out: InstanceUsage[] = [];
    setLoading(true);
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [instanceId, clientId] = next;
        try {
          const items = await fetchConversations(instanceId, new Date(fromMs));
          out.push(summarise(instanceId, clientId, items));
        } catch (e) {
          if (!cancelled) setError((e as Error).message);
        }
      }
    };
    Promise.all(Array.from({ length: CONCURRENCY }, worker)).then(() => {
      if (cancelled) return;
      setRows(out);
      setLoading(false);
    });
    return () => {
      cancelled = true;
    };
  }, [ids, fromMs, waiting]);

  return { rows, loading, error, partial: (instances?.length ?? 0) > MAX_INSTANCES };
}

function summarise(instanceId: string, clientId: string, items: Conversation[]): InstanceUsage {
  const u: InstanceUsage = { instanceId, clientId, tokens: 0, cost: 0, messages: 0, replies: 0, latencySum: 0, items };
  for (const m of items) {
    u.tokens += (m.tokensIn ?? 0) + (m.tokensOut ?? 0);
    u.cost += m.cost ?? 0;
    if (m.role === 'user') u.messages++;
    if (m.role === 'assistant' && typeof m.latencyMs === 'number') {
      u.replies++;
      u.latencySum += m.latencyMs;
    }
  }
  return u;
}

/** Per-client totals. */
export function byClient(rows: InstanceUsage[]) {
  const m = new Map<string, { clientId: string; tokens: number; cost: number; messages: number; instances: number }>();
  for (const r of rows) {
    const c = m.get(r.clientId) ?? { clientId: r.clientId, tokens: 0, cost: 0, messages: 0, instances: 0 };
    c.tokens += r.tokens;
    c.cost += r.cost;
    c.messages += r.messages;
    c.instances++;
    m.set(r.clientId, c);
  }
  return [...m.values()].sort((a, b) => b.cost - a.cost);
}

/** Mean reply latency per hour bucket across all rows. */
export function latencyByHour(rows: InstanceUsage[]) {
  const b = new Map<number, { sum: number; n: number }>();
  for (const r of rows)
    for (const m of r.items) {
      if (m.role !== 'assistant' || typeof m.latencyMs !== 'number') continue;
      const h = Math.floor(toMs(m.t) / 3_600_000) * 3_600_000;
      const x = b.get(h) ?? { sum: 0, n: 0 };
      x.sum += m.latencyMs;
      x.n++;
      b.set(h, x);
    }
  return [...b.entries()].sort((a, c) => a[0] - c[0]).map(([t, x]) => ({ t, latency: x.sum / x.n }));
}
