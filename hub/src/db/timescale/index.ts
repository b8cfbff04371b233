import type { Logger } from 'pino';
import type { HubConfig } from '../../config.js';
import type { Db } from '../client.js';
import type { MetricSources } from '../metrics-query.js';
import { timescaleStatements } from './statements.js';

export { type TimescaleJobError, TimescaleMonitor } from './monitor.js';

/** Whether the TimescaleDB path is active, and where the rollups live then. */
export interface TimescaleState {
  active: boolean;
  sources?: MetricSources;
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
 * hypertables, compression after 7 days, retention policies from the settings, continuous
 * aggregates at 1 minute and 1 hour. Runs on every start; every statement is idempotent and
 * the retention policies are re-created so a changed setting takes effect.
 * Any failure leaves the plain path active and says why in the log.
 */
export async function setupTimescale(
  db: Db,
  config: Pick<HubConfig, 'retentionRawDays' | 'retentionRollupDays'>,
  log: Logger,
): Promise<TimescaleState> {
  const avail = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'").catch(() => []);
  if (avail.length === 0) return { active: false };
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    for (const sql of timescaleStatements(config)) await db.query(sql);
    log.info('TimescaleDB active: hypertables, compression, retention, continuous aggregates');
    return { active: true, sources: TIMESCALE_SOURCES };
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'TimescaleDB is available but could not be set up; using plain rollups');
    return { active: false };
  }
}
