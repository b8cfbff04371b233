import type { BackupService } from '../backups/service.js';
import type { ScheduledChanges } from '../changes/scheduled.js';
import type { CommandService } from '../commands/service.js';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';
import type { DeploymentService } from '../deploy/service.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Maintenance } from '../maintenance/index.js';

/** What the agent-ops domain needs from the hub. */
export interface AgentOpsDeps {
  db: Db;
  fleet: Fleet;
  commands: CommandService;
  maintenance: Maintenance;
  config: Pick<
    HubConfig,
    'agentMaxInstancesPerHour' | 'agentFailureLimit' | 'agentTokenTtlHours' | 'agentDrain' | 'dataDir'
  >;
  /** What hub actions run on (deployments start after the API listens, hence getters). */
  deployments?: () => DeploymentService | null | undefined;
  backups?: () => BackupService | null | undefined;
  /** Where approved changes wait for the client's maintenance window. */
  scheduled?: () => ScheduledChanges | null | undefined;
  hubActionPollMs?: number;
}
