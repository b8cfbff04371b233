import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { SecretStore } from '../secrets/store.js';
import { openConfig } from './channel-secrets.js';
import { matchesAll } from './matchers.js';
import type { Alert, ChannelType, Matcher } from './types.js';

/** Which alerts a channel gets: every filter given must match (empty = all in reach). */
export interface ChannelRoute {
  severities?: string[];
  clientIds?: string[];
  ruleIds?: string[];
  matchers?: Matcher[];
}

export interface Channel {
  id: string;
  clientId: string | null;
  type: ChannelType;
  name: string;
  enabled: boolean;
  /** In clear, in memory only: the row holds the credential fields sealed (channel-secrets.ts). */
  config: Record<string, unknown>;
  /** Why the sealed fields could not be opened (a master key no longer loaded); null when they could. */
  secretError: string | null;
  route: ChannelRoute;
  groupBy: string[];
  groupWaitSec: number;
  groupIntervalSec: number;
  repeatIntervalSec: number;
  createdBy: string;
  createdAt: Date;
}

export const toChannel = (r: Record<string, unknown>): Channel => ({
  id: String(r.id),
  clientId: (r.client_id as string | null) ?? null,
  type: r.type as ChannelType,
  name: String(r.name),
  enabled: Boolean(r.enabled),
  config: (r.config as Record<string, unknown>) ?? {},
  secretError: null,
  route: (r.route as ChannelRoute) ?? {},
  groupBy: (r.group_by as string[]) ?? [],
  groupWaitSec: Number(r.group_wait_sec),
  groupIntervalSec: Number(r.group_interval_sec),
  repeatIntervalSec: Number(r.repeat_interval_sec),
  createdBy: String(r.created_by),
  createdAt: new Date(r.created_at as string),
});

export async function loadChannels(db: Db, secrets: SecretStore, log: Logger): Promise<Channel[]> {
  return (await db.query('SELECT * FROM notification_channels ORDER BY created_at')).map((r) => {
    const c = toChannel(r);
    try {
      c.config = openConfig(secrets, c.id, c.type, c.config);
    } catch (e) {
      c.secretError = `the channel's secrets cannot be opened: ${(e as Error).message}`;
      log.warn({ channel: c.id, err: (e as Error).message }, 'notification channel secrets cannot be opened');
    }
    return c;
  });
}

/** Whether a channel routes this alert; a client's channel only ever gets that client's alerts. */
export function routes(c: Channel, a: Alert): boolean {
  if (c.clientId && a.clientId !== c.clientId) return false;
  const r = c.route;
  if (r.severities?.length && !r.severities.includes(a.severity)) return false;
  if (r.clientIds?.length && (!a.clientId || !r.clientIds.includes(a.clientId))) return false;
  if (r.ruleIds?.length && !r.ruleIds.includes(a.ruleId)) return false;
  if (r.matchers?.length && !matchesAll(r.matchers, a.labels)) return false;
  return true;
}

/** Grouping labels; PagerDuty always groups by rule so its dedup key names the rule. */
export function groupLabelsOf(c: Channel): string[] {
  const by = c.groupBy.length ? c.groupBy : ['alertname'];
  return c.type === 'pagerduty' && !by.includes('alertname') && !by.includes('...') ? ['alertname', ...by] : by;
}
