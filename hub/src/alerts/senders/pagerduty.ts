import { type DeliveryResult, postJson } from '../../webhooks/index.js';
import type { Notification } from '../notifier.js';

/**
 * PagerDuty Events API v2: one event per notification group; `dedup_key` is the fingerprint of
 * the rule and group labels, so the resolve closes the incident the trigger opened.
 * https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 */
export function pagerdutyEvent(n: Notification, routingKey: string, hubUrl: string, action = 'trigger') {
  if (n.status === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: n.dedupKey };
  // Somebody acknowledged every alert of the group on the hub: the incident is acknowledged, not closed.
  if (action === 'acknowledge') return { routing_key: routingKey, event_action: 'acknowledge', dedup_key: n.dedupKey };
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const first = firing[0];
  const instances = [...new Set(firing.map((a) => a.instanceId).filter(Boolean))];
  const summary =
    firing.length === 1
      ? (first.annotations.summary ?? first.ruleId)
      : `${firing.length} alerts: ${first.annotations.summary ?? first.ruleId} and ${firing.length - 1} more`;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: n.dedupKey,
    payload: {
      summary: summary.slice(0, 1024),
      source: instances.length === 1 ? String(first.labels.instance) : (n.groupLabels.client ?? 'deep-signal-hub'),
      severity: first.severity,
      timestamp: first.startsAt ?? new Date().toISOString(),
      component: instances.length === 1 ? String(instances[0]) : undefined,
      group: first.clientId ?? undefined,
      class: first.ruleId,
      custom_details: {
        group: n.groupLabels,
        alerts: firing.map((a) => ({
          id: a.id,
          labels: a.labels,
          value: a.value,
          description: a.annotations.description,
        })),
      },
    },
    links: firing
      .filter((a) => a.url)
      .slice(0, 5)
      .map((a) => ({ href: a.url as string, text: `Instance ${a.instanceId}` })),
    client: 'Deep Signal',
    client_url: hubUrl,
  };
}

export function sendPagerduty(baseUrl: string, event: object): Promise<DeliveryResult> {
  return postJson(`${baseUrl.replace(/\/$/, '')}/v2/enqueue`, JSON.stringify(event));
}
