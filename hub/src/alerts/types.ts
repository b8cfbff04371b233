/** Alert states, as Prometheus and Grafana name them (nodata: the data the rule needs is missing). */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved' | 'nodata';
export type Severity = 'critical' | 'error' | 'warning' | 'info';
export const SEVERITIES: Severity[] = ['critical', 'error', 'warning', 'info'];
export type Scope = 'fleet' | 'client' | 'instance';

export interface AlertRule {
  id: string;
  kind: RuleKind;
  name: string;
  enabled: boolean;
  builtin: boolean;
  threshold: number | null;
  forSec: number;
  keepFiringSec: number;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  scope: Scope;
  scopeId: string | null;
}

export const RULE_KINDS = [
  'instance_offline',
  'openclaw_down',
  'channel_down',
  'disk_high',
  'memory_high',
  'error_rate',
  'provider_auth_failing',
  'reply_latency_high',
  'usage_over_plan',
  'budget_near',
  'sidecar_outdated',
  'backup_failing',
  'cert_or_key_expiring',
  'ticket_sla_breached',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** One series a rule's condition found true (or without data) in an evaluation. */
export interface Series {
  labels: Record<string, string>;
  value: number | null;
  clientId: string | null;
  instanceId: string | null;
  hostname?: string;
  nodata?: boolean;
  /** Values for the annotation templates that are not labels (they would split the series). */
  vars?: Record<string, string>;
}

/** An alert: a rule's series, keyed by the fingerprint of its labels. */
export interface Alert {
  id: string;
  ruleId: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  clientId: string | null;
  instanceId: string | null;
  state: AlertState;
  severity: Severity;
  value: number | null;
  activeAt: Date | null;
  firedAt: Date | null;
  resolvedAt: Date | null;
  lastTrueAt: Date | null;
  ackedBy: string | null;
  ackedAt: Date | null;
}

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
  clientId: string | null;
}

/** Why a firing alert is not notified. */
export interface Muting {
  silencedBy: string[];
  inhibitedBy: string | null;
  maintenance: string | null;
}

/** Where a notification goes. */
export type ChannelType = 'pagerduty' | 'webhook' | 'email' | 'slack';
