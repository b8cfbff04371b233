import type { Logger } from 'pino';
import type { HubConfig } from '../../config.js';
import type { Db } from '../client.js';
import type { MetricSources } from '../metrics-query.js';
import { ensureTimescaleExtension } from './extension.js';
import { TimescaleMaintenance } from './maintenance.js';
import { timescaleStatements } from './statements.js';

export { TimescaleMaintenance } from './maintenance.js';
export { type TimescaleJobError, TimescaleMonitor } from './monitor.js';

/** Whether the TimescaleDB path is active, where the rollups live then, and who maintains them. */
export interface TimescaleState {
  active: boolean;
  sources?: MetricSources;
  maintenance?: TimescaleMaintenance;
}

/** Relations the queries read when TimescaleDB is active (continuous aggregates for rollups). */
export const TIMESCALE_SOURCES: MetricSources = {
  raw: 'metric_samples',
  minute: 'metric_cagg_1m',
  hour: 'metric_cagg_1h',
};

/**
 * Turns on TimescaleDB features when the extension is available (PostgreSQL with the extension
 * installed, or a PGlite build that bundles it; otherwise the hub-maintained rollups stay):
 * hypertables, compression after 7 days, retention from the settings, continuous aggregates at
 * 1 minute and 1 hour, kept complete for late data. Runs on every start; every statement is
 * idempotent. Any failure leaves the plain path active and says why in the log.
 */
export async function setupTimescale(
  db: Db,
  config: Pick<HubConfig, 'retentionRawDays' | 'retentionRollupDays' | 'timescaleScheduler'>,
  log: Logger,
): Promise<TimescaleState> {
  const avail = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'").catch(() => []);
  if (avail.length === 0) return { active: false };
  try {
    const ext = await ensureTimescaleExtension(db);
    const settings = { ...config, scheduler: config.timescaleScheduler };
    for (const sql of timescaleStatements(settings, ext)) await db.query(sql);
    const maintenance = new TimescaleMaintenance(db, ext, settings, log.child({ mod: 'timescale' }));
    if (settings.scheduler === 'hub') await maintenance.recover();
    log.info(
      { extensionSchema: ext, scheduler: settings.scheduler },
      'TimescaleDB active: hypertables, compression, retention, continuous aggregates',
    );
    return { active: true, sources: TIMESCALE_SOURCES, maintenance };
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'TimescaleDB is available but could not be set up; using plain rollups');
    return { active: false };
  }
}
