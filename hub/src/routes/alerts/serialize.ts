import { z } from 'zod';
import type { Channel } from '../../alerts/channels.js';
import type { Alert, AlertRule, Muting, Silence } from '../../alerts/types.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const ruleSchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  builtin: z.boolean(),
  threshold: z.number().nullable(),
  thresholdUnit: z.string(),
  forSec: z.number(),
  keepFiringSec: z.number(),
  severity: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  scope: z.string(),
  scopeId: z.string().nullable(),
});

export const alertSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  state: z.string(),
  severity: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  clientId: z.string().nullable(),
  instanceId: z.string().nullable(),
  value: z.number().nullable(),
  activeAt: z.string().nullable(),
  firedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  ackedBy: z.string().nullable(),
  ackedAt: z.string().nullable(),
  silencedBy: z.array(z.string()),
  inhibitedBy: z.string().nullable(),
  maintenance: z.string().nullable(),
});

export const toAlertJson = (a: Alert, m: Muting | null) => ({
  id: a.id,
  ruleId: a.ruleId,
  state: a.state,
  severity: a.severity,
  labels: a.labels,
  annotations: a.annotations,
  clientId: a.clientId,
  instanceId: a.instanceId,
  value: a.value,
  activeAt: iso(a.activeAt),
  firedAt: iso(a.firedAt),
  resolvedAt: iso(a.resolvedAt),
  ackedBy: a.ackedBy,
  ackedAt: iso(a.ackedAt),
  silencedBy: m?.silencedBy ?? [],
  inhibitedBy: m?.inhibitedBy ?? null,
  maintenance: m?.maintenance ?? null,
});

export const matcherSchema = z.object({
  name: z.string().min(1).max(100),
  value: z.string().max(500),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});

export const silenceSchema = z.object({
  id: z.string(),
  matchers: z.array(z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean() })),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
  clientId: z.string().nullable(),
  active: z.boolean(),
});

export const toSilenceJson = (s: Silence, now: number) => ({
  id: s.id,
  matchers: s.matchers,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  createdBy: s.createdBy,
  comment: s.comment,
  clientId: s.clientId,
  active: s.startsAt.getTime() <= now && now < s.endsAt.getTime(),
});

export const channelSchema = z.object({
  id: z.string(),
  clientId: z.string().nullable(),
  type: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  route: z.record(z.string(), z.unknown()),
  groupBy: z.array(z.string()),
  groupWaitSec: z.number(),
  groupIntervalSec: z.number(),
  repeatIntervalSec: z.number(),
  createdAt: z.string(),
  /** Only in the answer that created it (webhooks): the signing secret. */
  secret: z.string().optional(),
});

const tail = (s: unknown) => (typeof s === 'string' && s.length > 4 ? `…${s.slice(-4)}` : '…');

/** A channel as the API shows it: routing keys, webhook secrets and Slack URLs are not shown back. */
export function toChannelJson(c: Channel) {
  const cfg = { ...c.config };
  if ('routingKey' in cfg) cfg.routingKey = tail(cfg.routingKey);
  if ('secret' in cfg) cfg.secret = tail(cfg.secret);
  if (c.type === 'slack' && typeof cfg.url === 'string') {
    try {
      cfg.url = `${new URL(cfg.url).origin}/…`;
    } catch {
      cfg.url = '…';
    }
  }
  return {
    id: c.id,
    clientId: c.clientId,
    type: c.type,
    name: c.name,
    enabled: c.enabled,
    config: cfg,
    route: c.route as Record<string, unknown>,
    groupBy: c.groupBy,
    groupWaitSec: c.groupWaitSec,
    groupIntervalSec: c.groupIntervalSec,
    repeatIntervalSec: c.repeatIntervalSec,
    createdAt: c.createdAt.toISOString(),
  };
}

export type RuleJson = z.infer<typeof ruleSchema>;
export const toRuleJson = (r: AlertRule, unit: string): RuleJson => ({ ...r, thresholdUnit: unit });
