import { Lease, leaseHolder } from '../cluster/lease.js';
import { type AgentRunnerOptions, startAgentRunner } from './runner-process.js';

/**
 * The ops agents run beside one hub of several: the holder of the `ops-agents` lease. An agent has
 * one live token at a time (minting one revokes the last), so two runners would keep refusing each
 * other's, and an agent's runs, findings and proposals are for the whole fleet, once. When the
 * holder stops, the next hub starts them within a renewal interval; when it dies, once its lease
 * has expired. A single hub takes the lease at once.
 */
export async function startAgentsOnOneHub(
  o: AgentRunnerOptions,
): Promise<{ running(): boolean; stop(): Promise<void> }> {
  let runner: ReturnType<typeof startAgentRunner> | null = null;
  const lease = new Lease({
    db: o.db,
    name: 'ops-agents',
    holder: leaseHolder(o.config.dataDir),
    log: o.log.child({ mod: 'agents' }),
    onAcquire: () => {
      runner = startAgentRunner(o);
    },
    onLose: async () => {
      await runner?.stop();
      runner = null;
    },
  });
  await lease.start();
  return { running: () => lease.held, stop: () => lease.stop() };
}
