import type { Dispatcher } from 'undici';
import { type DeliveryResult, postJson } from '../../webhooks/index.js';
import type { Notification } from '../notifier.js';

const ICON: Record<string, string> = {
  critical: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':warning:',
  info: ':information_source:',
};

/** A Slack incoming-webhook message: a headline plus one section per alert with its fields and link. */
export function slackMessage(n: Notification) {
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const resolved = n.alerts.filter((a) => a.status === 'resolved');
  const head =
    n.status === 'resolved'
      ? `:white_check_mark: Resolved: ${resolved.length} alert${resolved.length === 1 ? '' : 's'}`
      : `${ICON[firing[0]?.severity ?? 'info'] ?? ''} Firing: ${firing.length} alert${firing.length === 1 ? '' : 's'}${resolved.length ? `, ${resolved.length} resolved` : ''}`;
  const blocks: object[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${head}*` } }];
  for (const a of n.alerts.slice(0, 20)) {
    const fields = [
      `*Rule:* ${a.ruleId}`,
      `*Severity:* ${a.severity}`,
      a.clientId ? `*Client:* ${a.clientId}` : null,
      a.instanceId ? `*Instance:* ${a.instanceId}` : null,
      a.value !== null ? `*Value:* ${a.value}` : null,
      `*Status:* ${a.status}`,
    ].filter((f): f is string => f !== null);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `${a.annotations.summary ?? a.ruleId}${a.url ? ` <${a.url}|open>` : ''}` },
      fields: fields.map((text) => ({ type: 'mrkdwn', text })),
    });
  }
  return { text: `${head}: ${(firing[0] ?? resolved[0])?.annotations.summary ?? ''}`, blocks };
}

export const sendSlack = (url: string, message: object, dispatcher?: Dispatcher): Promise<DeliveryResult> =>
  postJson(url, JSON.stringify(message), {}, 10_000, dispatcher);
