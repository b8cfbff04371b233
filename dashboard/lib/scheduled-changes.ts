'use client';
import { useCallback, useEffect } from 'react';
import { toast } from '@/components/ui/toast';
import { api } from './api';
import { COMMAND_LABEL } from './commands';
import { useLiveEvent } from './live';
import { useApi } from './use-api';

/** A change waiting for its client's maintenance window, or what became of it (hub `/scheduled-changes`). */
export interface ScheduledChange {
  id: string;
  instanceId: string;
  hostname: string | null;
  clientId: string;
  type: string;
  params: Record<string, unknown>;
  status: 'scheduled' | 'dispatching' | 'dispatched' | 'failed' | 'canceled' | 'missed';
  runAfter: string;
  nextRunAt: string | null;
  windowId: string | null;
  commandId: string | null;
  error: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Command types that may wait for a maintenance window (the hub's list). */
export const SCHEDULABLE = new Set([
  'openclaw.update',
  'sidecar.update',
  'config.apply',
  'model.set',
  'openclaw.restart',
]);

/** Tells every list on the page that a change was scheduled here (the hub sends no live event for it). */
const CHANGED = 'ds:scheduled-changes';

export const isWaiting = (s: ScheduledChange) => s.status === 'scheduled' || s.status === 'dispatching';

/** Holds a change for the instance's next maintenance window; toasts when it will run. */
export async function scheduleChange(instanceId: string, type: string, params: Record<string, unknown> = {}) {
  try {
    const s = await api<ScheduledChange>(`/instances/${encodeURIComponent(instanceId)}/scheduled-changes`, {
      body: { type, params },
    });
    window.dispatchEvent(new Event(CHANGED));
    toast(`${COMMAND_LABEL[type] ?? type}: scheduled`, {
      tone: 'success',
      description:
        s.status === 'dispatched'
          ? 'The window is open: sent now.'
          : `Runs in the maintenance window (${new Date(s.nextRunAt ?? s.runAfter).toLocaleString()}).`,
    });
    return s;
  } catch (e) {
    toast('Could not schedule the change', { tone: 'error', description: (e as Error).message });
    throw e;
  }
}

/** Scheduled changes (of one instance, or all the caller sees), refreshed when commands move. */
export function useScheduledChanges(instanceId?: string) {
  const list = useApi<ScheduledChange[]>('/scheduled-changes', { query: { instanceId, limit: 100 } });
  const { reload } = list;
  useLiveEvent('command', (e) => {
    if (!instanceId || e.instanceId === instanceId) void reload();
  });
  useEffect(() => {
    const onChanged = () => void reload();
    window.addEventListener(CHANGED, onChanged);
    return () => window.removeEventListener(CHANGED, onChanged);
  }, [reload]);
  const cancel = useCallback(
    async (id: string) => {
      try {
        await api(`/scheduled-changes/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
        toast('Scheduled change canceled', { tone: 'success' });
      } catch (e) {
        toast('Could not cancel', { tone: 'error', description: (e as Error).message });
      }
      await reload();
    },
    [reload],
  );
  return { ...list, cancel };
}
