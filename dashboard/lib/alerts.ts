'use client';
import { useEffect, useMemo } from 'react';
import { useLiveEvent } from './live';
import { useApi } from './use-api';

/** An alert as GET /alerts returns it. */
export interface AlertItem {
  id: string;
  ruleId: string;
  state: 'pending' | 'firing' | 'resolved' | 'nodata';
  severity: 'critical' | 'error' | 'warning' | 'info';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  clientId: string | null;
  instanceId: string | null;
  value: number | null;
  activeAt: string | null;
  firedAt: string | null;
  resolvedAt: string | null;
  ackedBy: string | null;
  ackedAt: string | null;
  silencedBy: string[];
  inhibitedBy: string | null;
  maintenance: string | null;
}

export interface AlertSummary {
  firing: number;
  pending: number;
  silenced: number;
  bySeverity: Record<string, number>;
}

export interface AlertHistoryItem {
  alertId: string;
  ruleId: string;
  clientId: string | null;
  instanceId: string | null;
  from: string;
  to: string;
  value: number | null;
  t: string;
}

export interface AlertRuleItem {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  builtin: boolean;
  threshold: number | null;
  thresholdUnit: string;
  forSec: number;
  keepFiringSec: number;
  severity: string;
  scope: string;
  scopeId: string | null;
}

export interface ChannelItem {
  id: string;
  clientId: string | null;
  type: 'pagerduty' | 'webhook' | 'email' | 'slack';
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  groupBy: string[];
  groupWaitSec: number;
  groupIntervalSec: number;
  repeatIntervalSec: number;
}

export interface MaintenanceItem {
  id: string;
  clientId: string;
  name: string;
  timeZone: string;
  startDate: string;
  startTime: string;
  durationMin: number;
  days: number[];
  untilDate: string | null;
  ruleIds: string[];
  activeUntil: string | null;
  nextStart: string | null;
}

export const isMuted = (a: AlertItem) => a.silencedBy.length > 0 || a.inhibitedBy !== null || a.maintenance !== null;

/** Alerts (GET /alerts with a filter), reloaded when an alert changes state and every 30 s. */
export function useAlerts(query: Record<string, string | undefined> = {}) {
  const state = useApi<AlertItem[]>('/alerts', { query });
  useAlertChanges(state.reload);
  return state;
}

/** The counts for the shell badge. */
export function useAlertSummary() {
  const state = useApi<AlertSummary>('/alerts/summary');
  useAlertChanges(state.reload);
  return state;
}

const CHANGED = 'ds-alerts-changed';

/** Tells every alert view on the page to reload (after a silence or an acknowledgement here). */
export function alertsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

function useAlertChanges(reload: () => Promise<void>) {
  useLiveEvent('alert', () => void reload());
  useEffect(() => {
    const t = setInterval(() => void reload(), 30_000);
    const on = () => void reload();
    window.addEventListener(CHANGED, on);
    return () => {
      clearInterval(t);
      window.removeEventListener(CHANGED, on);
    };
  }, [reload]);
}

/** Unmuted firing alerts per instance (summaries), for the fleet tiles. */
export function useFiringByInstance(): Map<string, string[]> {
  const { data } = useAlerts({ state: 'firing' });
  return useMemo(() => {
    const m = new Map<string, string[]>();
    for (const a of data ?? []) {
      if (!a.instanceId || isMuted(a)) continue;
      m.set(a.instanceId, [...(m.get(a.instanceId) ?? []), a.annotations.summary ?? a.ruleId]);
    }
    return m;
  }, [data]);
}
