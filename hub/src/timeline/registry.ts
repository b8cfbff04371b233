import { agentProposalsSource } from './sources/agent-proposals.js';
import { alertsSource } from './sources/alerts.js';
import { auditSource } from './sources/audit.js';
import { backupsSource } from './sources/backups.js';
import { changesSource } from './sources/changes.js';
import { commandsSource } from './sources/commands.js';
import { configChangesSource } from './sources/config-changes.js';
import { consoleSource } from './sources/console.js';
import { deploysSource } from './sources/deploys.js';
import { statusSource } from './sources/status.js';
import type { TimelineSource } from './types.js';

/** Every source of an instance's timeline, one line each. */
export const TIMELINE_SOURCES: readonly TimelineSource[] = [
  commandsSource,
  consoleSource,
  configChangesSource,
  backupsSource,
  changesSource,
  statusSource,
  deploysSource,
  alertsSource,
  agentProposalsSource,
  auditSource,
];

export const TIMELINE_KINDS = TIMELINE_SOURCES.map((s) => s.kind);
