import type { Db } from '../db/index.js';
import { newId } from '../util/ids.js';
import { type Channel, groupLabelsOf, routes } from './channels.js';
import { fingerprint } from './fingerprint.js';
import type { Alert } from './types.js';

/** One alert in a notification, in the shape every channel renders from. */
export interface NotifiedAlert {
  id: string;
  ruleId: string;
  status: 'firing' | 'resolved';
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  clientId: string | null;
  instanceId: string | null;
  startsAt: string | null;
  endsAt: string | null;
  url: string | null;
}

/** A group's notification: what is firing now, and what resolved since the last one. */
export interface Notification {
  groupKey: string;
  groupLabels: Record<string, string>;
  /** ds-<fingerprint of the group labels>; PagerDuty's dedup_key. */
  dedupKey: string;
  status: 'firing' | 'resolved';
  alerts: NotifiedAlert[];
}

interface GroupState {
  channelId: string;
  groupKey: string;
  labels: Record<string, string>;
  firstAt: number;
  lastSentAt: number | null;
  sentFiring: string[];
  /** Every firing alert of the group is acknowledged and PagerDuty was told so. */
  acked: boolean;
}

export interface FiringInput {
  alert: Alert;
  muted: boolean;
}

/**
 * Alertmanager's dispatch: per channel, alerts are grouped by the channel's group labels; a new
 * group waits `group_wait`, a changed group is re-sent no sooner than `group_interval`, an
 * unchanged one every `repeat_interval`. What each group last sent is persisted, so after a
 * restart an alert already notified is not notified again. A muted alert stays in its group (it
 * is neither re-sent nor resolved by the mute).
 */
export class Notifier {
  private groups = new Map<string, GroupState>();
  /** Builds the link an alert's notification carries (its ticket, its instance page, or none). */
  link: (a: Alert) => string | null = () => null;

  constructor(private readonly db: Db) {}

  async load(): Promise<void> {
    this.groups.clear();
    for (const r of await this.db.query('SELECT * FROM notification_groups')) {
      const g: GroupState = {
        channelId: String(r.channel_id),
        groupKey: String(r.group_key),
        labels: r.labels as Record<string, string>,
        firstAt: new Date(r.first_at as string).getTime(),
        lastSentAt: r.last_sent_at ? new Date(r.last_sent_at as string).getTime() : null,
        sentFiring: (r.sent_firing as string[]) ?? [],
        acked: Boolean(r.acked),
      };
      this.groups.set(`${g.channelId}|${g.groupKey}`, g);
    }
  }

  /** Decides what to send now; writes outbox rows and group states in one transaction. Returns rows written. */
  async dispatch(now: number, channels: Channel[], firing: FiringInput[], all: Map<string, Alert>): Promise<number> {
    const outbox: { id: string; channelId: string; action: string; groupKey: string; payload: Notification }[] = [];
    const upserts: GroupState[] = [];
    const deletes: GroupState[] = [];
    for (const c of channels) {
      if (!c.enabled) continue;
      const by = groupLabelsOf(c);
      const current = new Map<string, { labels: Record<string, string>; alerts: Alert[]; muted: Set<string> }>();
      for (const f of firing) {
        if (!routes(c, f.alert)) continue;
        const labels = by.includes('...')
          ? f.alert.labels
          : Object.fromEntries(by.map((k) => [k, f.alert.labels[k] ?? '']));
        const key = JSON.stringify(Object.entries(labels).sort());
        let g = current.get(key);
        if (!g) {
          g = { labels, alerts: [], muted: new Set() };
          current.set(key, g);
        }
        g.alerts.push(f.alert);
        if (f.muted) g.muted.add(f.alert.id);
      }
      const keys = new Set([...current.keys()]);
      for (const g of this.groups.values()) if (g.channelId === c.id) keys.add(g.groupKey);
      for (const key of keys) {
        const cur = current.get(key);
        let st = this.groups.get(`${c.id}|${key}`);
        const isNew = !st;
        if (!st) {
          if (!cur || cur.alerts.every((a) => cur.muted.has(a.id))) continue;
          st = {
            channelId: c.id,
            groupKey: key,
            labels: cur.labels,
            firstAt: now,
            lastSentAt: null,
            sentFiring: [],
            acked: false,
          };
        }
        // Muted alerts stay in the group only if they were already sent (no new page, no resolve).
        const firingIds = (cur?.alerts ?? [])
          .filter((a) => !cur?.muted.has(a.id) || st.sentFiring.includes(a.id))
          .map((a) => a.id)
          .sort();
        const changed = firingIds.join() !== [...st.sentFiring].sort().join();
        // Somebody is on it: an acknowledged group is not repeated (changes still go out).
        const allAcked = firingIds.length > 0 && firingIds.every((id) => all.get(id)?.ackedBy);
        let due = false;
        if (st.lastSentAt === null) due = firingIds.length > 0 && now - st.firstAt >= c.groupWaitSec * 1000;
        else if (changed) due = now - st.lastSentAt >= c.groupIntervalSec * 1000;
        else due = firingIds.length > 0 && !allAcked && now - st.lastSentAt >= c.repeatIntervalSec * 1000;
        let ackChanged = false;
        if (!due && !changed && allAcked && !st.acked && st.lastSentAt !== null) {
          // PagerDuty acknowledges the incident the trigger opened (same dedup_key); other channels just go quiet.
          if (c.type === 'pagerduty')
            outbox.push({
              id: newId('dlv'),
              channelId: c.id,
              action: 'acknowledge',
              groupKey: key,
              payload: this.notification(st, firingIds, [], all, now),
            });
          st.acked = true;
          ackChanged = true;
        } else if (!allAcked && st.acked) {
          st.acked = false;
          ackChanged = true;
        }
        if (due) {
          const resolved = st.sentFiring.filter((id) => !firingIds.includes(id));
          const payload = this.notification(st, firingIds, resolved, all, now);
          outbox.push({
            id: newId('dlv'),
            channelId: c.id,
            action: firingIds.length ? 'trigger' : 'resolve',
            groupKey: key,
            payload,
          });
          st.lastSentAt = now;
          st.sentFiring = firingIds;
        }
        if (firingIds.length === 0 && (st.lastSentAt === null || st.sentFiring.length === 0)) {
          if (!isNew) deletes.push(st);
          this.groups.delete(`${c.id}|${key}`);
          continue;
        }
        this.groups.set(`${c.id}|${key}`, st);
        if (isNew || due || ackChanged) upserts.push(st);
      }
    }
    // Groups of deleted channels go too.
    const live = new Set(channels.map((c) => c.id));
    for (const g of [...this.groups.values()])
      if (!live.has(g.channelId)) {
        this.groups.delete(`${g.channelId}|${g.groupKey}`);
        deletes.push(g);
      }
    if (!outbox.length && !upserts.length && !deletes.length) return 0;
    await this.db.tx(async (q) => {
      if (outbox.length)
        await q.query(
          `INSERT INTO notification_outbox (id, channel_id, kind, action, group_key, payload, next_attempt_at)
           SELECT id, channel_id, 'alert', action, group_key, payload, $2::timestamptz
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, channel_id text, action text, group_key text, payload jsonb)`,
          [
            JSON.stringify(
              outbox.map((o) => ({
                id: o.id,
                channel_id: o.channelId,
                action: o.action,
                group_key: o.groupKey,
                payload: o.payload,
              })),
            ),
            new Date(now).toISOString(),
          ],
        );
      if (upserts.length)
        await q.query(
          `INSERT INTO notification_groups (channel_id, group_key, labels, first_at, last_sent_at, sent_firing, acked)
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(channel_id text, group_key text, labels jsonb,
             first_at timestamptz, last_sent_at timestamptz, sent_firing jsonb, acked boolean)
           ON CONFLICT (channel_id, group_key) DO UPDATE SET last_sent_at = excluded.last_sent_at,
             sent_firing = excluded.sent_firing, acked = excluded.acked`,
          [
            JSON.stringify(
              upserts.map((g) => ({
                channel_id: g.channelId,
                group_key: g.groupKey,
                labels: g.labels,
                first_at: new Date(g.firstAt).toISOString(),
                last_sent_at: g.lastSentAt === null ? null : new Date(g.lastSentAt).toISOString(),
                sent_firing: g.sentFiring,
                acked: g.acked,
              })),
            ),
          ],
        );
      for (const g of deletes)
        await q.query('DELETE FROM notification_groups WHERE channel_id = $1 AND group_key = $2', [
          g.channelId,
          g.groupKey,
        ]);
    });
    return outbox.length;
  }

  private notification(
    st: GroupState,
    firing: string[],
    resolved: string[],
    all: Map<string, Alert>,
    now: number,
  ): Notification {
    const item = (id: string, status: 'firing' | 'resolved'): NotifiedAlert | null => {
      const a = all.get(id);
      if (!a) return null;
      return {
        id: a.id,
        ruleId: a.ruleId,
        status,
        severity: a.severity,
        labels: a.labels,
        annotations: a.annotations,
        value: a.value,
        clientId: a.clientId,
        instanceId: a.instanceId,
        startsAt: (a.firedAt ?? a.activeAt)?.toISOString() ?? null,
        endsAt: status === 'resolved' ? (a.resolvedAt?.toISOString() ?? new Date(now).toISOString()) : null,
        url: this.link(a),
      };
    };
    const alerts = [
      ...firing.map((id) => item(id, 'firing')),
      ...resolved.map((id) => {
        const x = item(id, 'resolved');
        if (!x) {
          return {
            id,
            ruleId: st.labels.alertname ?? '',
            status: 'resolved' as const,
            severity: st.labels.severity ?? 'info',
            labels: st.labels,
            annotations: {},
            value: null,
            clientId: st.labels.client ?? null,
            instanceId: st.labels.instance ?? null,
            startsAt: null,
            endsAt: new Date(now).toISOString(),
            url: null,
          };
        }
        return x;
      }),
    ].filter((x): x is NotifiedAlert => x !== null);
    return {
      groupKey: st.groupKey,
      groupLabels: st.labels,
      dedupKey: `ds-${fingerprint(st.labels)}`,
      status: firing.length ? 'firing' : 'resolved',
      alerts,
    };
  }
}
