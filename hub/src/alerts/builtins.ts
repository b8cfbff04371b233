import type { AlertRule, RuleKind } from './types.js';

type Builtin = Omit<AlertRule, 'id' | 'kind' | 'enabled' | 'builtin' | 'scope' | 'scopeId' | 'labels'>;

/**
 * The rules every hub starts with, on by default; an operator edits them (PATCH), never loses
 * them. Thresholds are in each rule's unit, named in `thresholdUnit`.
 */
export const BUILTIN_RULES: Record<RuleKind, Builtin & { thresholdUnit: string }> = {
  instance_offline: {
    name: 'Instance offline',
    threshold: null,
    thresholdUnit: '',
    forSec: 60,
    keepFiringSec: 0,
    severity: 'critical',
    annotations: {
      summary: '{{hostname}} is offline',
      description: 'Instance {{instance}} of client {{client}} has not been heard from for {{value}} s.',
    },
  },
  openclaw_down: {
    name: 'OpenClaw down',
    threshold: null,
    thresholdUnit: '',
    forSec: 60,
    keepFiringSec: 0,
    severity: 'critical',
    annotations: {
      summary: 'OpenClaw is down on {{hostname}}',
      description: 'The sidecar of {{instance}} (client {{client}}) reports the gateway down or in error.',
    },
  },
  channel_down: {
    name: 'Channel down',
    threshold: null,
    thresholdUnit: '',
    forSec: 120,
    keepFiringSec: 60,
    severity: 'error',
    annotations: {
      summary: 'Channel {{channel}} is down on {{hostname}}',
      description:
        'OpenClaw on {{instance}} (client {{client}}) is up but reports channel {{channel}} disconnected or failing.',
    },
  },
  disk_high: {
    name: 'Disk almost full',
    threshold: 90,
    thresholdUnit: '%',
    forSec: 300,
    keepFiringSec: 0,
    severity: 'warning',
    annotations: {
      summary: 'Disk {{value}} % full on {{hostname}}',
      description: 'The root disk of {{instance}} (client {{client}}) is above {{threshold}} %.',
    },
  },
  memory_high: {
    name: 'Memory high',
    threshold: 90,
    thresholdUnit: '%',
    forSec: 300,
    keepFiringSec: 0,
    severity: 'warning',
    annotations: {
      summary: 'Memory {{value}} % used on {{hostname}}',
      description: 'Memory of {{instance}} (client {{client}}) is above {{threshold}} %.',
    },
  },
  error_rate: {
    name: 'Error rate above normal',
    threshold: 5,
    thresholdUnit: 'errors/min: error log lines plus failed replies (and 3x the 24 h normal)',
    forSec: 0,
    keepFiringSec: 300,
    severity: 'warning',
    annotations: {
      summary: '{{value}} errors/min on {{hostname}}',
      description:
        'Error log lines and failed replies on {{instance}} (client {{client}}) over the last 5 minutes are above its normal.',
    },
  },
  provider_auth_failing: {
    name: 'Model provider refuses the key',
    threshold: 3,
    thresholdUnit: '401/403 in 10 min',
    forSec: 0,
    keepFiringSec: 600,
    severity: 'critical',
    annotations: {
      summary: 'Model provider refuses the API key on {{hostname}}',
      description:
        '{{value}} authentication failures (401/403) from the model provider in 10 minutes on {{instance}}: a revoked or expired key?',
    },
  },
  reply_latency_high: {
    name: 'Replies slow',
    threshold: 20_000,
    thresholdUnit: 'ms p95 over 15 min',
    forSec: 300,
    keepFiringSec: 0,
    severity: 'warning',
    annotations: {
      summary: 'Replies take {{value}} ms (p95) on {{hostname}}',
      description: 'The 95th percentile reply latency of {{instance}} over 15 minutes is above {{threshold}} ms.',
    },
  },
  usage_over_plan: {
    name: 'Usage over plan',
    threshold: 100,
    thresholdUnit: '% of the monthly allowance',
    forSec: 0,
    keepFiringSec: 0,
    severity: 'warning',
    annotations: {
      summary: 'Client {{client}} is at {{value}} % of its plan',
      description: 'Tokens or cost this month for {{client}} are over the plan allowance.',
    },
  },
  budget_near: {
    name: 'Budget nearly used',
    threshold: 80,
    thresholdUnit: '% of the monthly allowance',
    forSec: 0,
    keepFiringSec: 0,
    severity: 'info',
    annotations: {
      summary: 'Client {{client}} has used {{value}} % of its plan',
      description: 'Tokens or cost this month for {{client}} passed {{threshold}} % of the plan allowance.',
    },
  },
  sidecar_outdated: {
    name: 'Sidecar outdated',
    threshold: null,
    thresholdUnit: '',
    forSec: 3600,
    keepFiringSec: 0,
    severity: 'info',
    annotations: {
      summary: 'Sidecar {{version}} on {{hostname}} is older than {{latest}}',
      description: 'Instance {{instance}} runs sidecar {{version}}; the newest in the fleet is {{latest}}.',
    },
  },
  backup_failing: {
    name: 'No good backup',
    threshold: 48,
    thresholdUnit: 'hours',
    forSec: 0,
    keepFiringSec: 0,
    severity: 'error',
    annotations: {
      summary: 'No good backup of {{hostname}} in {{threshold}} h',
      description: 'The last successful backup of {{instance}} (client {{client}}) is {{value}} h old.',
    },
  },
  cert_or_key_expiring: {
    name: 'Certificate expiring',
    threshold: 14,
    thresholdUnit: 'days',
    forSec: 0,
    keepFiringSec: 0,
    severity: 'warning',
    annotations: {
      summary: '{{what}} expires in {{value}} days',
      description: '{{what}} ({{file}}) expires on {{expires}}.',
    },
  },
  ticket_sla_breached: {
    name: 'Support ticket past its SLA',
    threshold: null,
    thresholdUnit: '',
    forSec: 0,
    keepFiringSec: 0,
    severity: 'warning',
    annotations: {
      summary: 'Ticket "{{subject}}" of {{client_name}} is past its {{clock}} target',
      description:
        'The {{clock}} SLA of ticket {{ticket}} (client {{client}}) is breached: {{value}} business hours against {{target}}.',
      link: '{{hub_url}}/support/?ticket={{ticket}}',
    },
  },
};
