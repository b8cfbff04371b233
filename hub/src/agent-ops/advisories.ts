import { readFileSync } from 'node:fs';
import type { HubConfig } from '../config.js';
import type { Db } from '../db/index.js';

/** One security advisory about a package the fleet runs, in npm's words. */
export interface Advisory {
  /** npm's advisory id (or the GHSA id), unique per package. */
  id: string;
  package: 'openclaw' | '@deepsignal/sidecar';
  title: string;
  severity: 'info' | 'low' | 'moderate' | 'high' | 'critical';
  /** npm range syntax, e.g. `<2026.9.6` or `>=2026.1.0 <2026.3.2 || 2026.5.0`. */
  vulnerableVersions: string;
  url: string | null;
}

export interface AdvisoryList {
  advisories: Advisory[];
  /** The versions new servers install / the hub ships: "current" for the version checks. */
  pinned: { openclaw: string; sidecar: string };
  refreshedAt: string | null;
  source: string | null;
  /** Why the last refresh failed (the list is then the one before it). */
  refreshError: string | null;
}

const KEY = 'security.advisories';
export const ADVISORY_PACKAGES = ['openclaw', '@deepsignal/sidecar'] as const;
const SEVERITIES = new Set(['info', 'low', 'moderate', 'high', 'critical']);

/** The sidecar ships with the hub (one repository, one version). */
const HUB_VERSION = (() => {
  try {
    return String(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  } catch {
    return '0.0.0';
  }
})();

/**
 * Turns npm's bulk advisory answer (`{"<package>": [{id, title, severity, vulnerable_versions,
 * url}]}`) into advisories; anything else is a clear error, never a crash.
 */
export function parseNpmBulk(body: unknown): Advisory[] {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new Error('the advisory source did not answer with an object of packages');
  const out: Advisory[] = [];
  for (const pkg of ADVISORY_PACKAGES) {
    const list = (body as Record<string, unknown>)[pkg];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new Error(`advisories for ${pkg} are not a list`);
    for (const a of list as Record<string, unknown>[]) {
      const range = a?.vulnerable_versions;
      if (typeof range !== 'string' || (typeof a.id !== 'number' && typeof a.id !== 'string')) continue;
      const sev = String(a.severity ?? 'moderate');
      out.push({
        id: String(a.id),
        package: pkg,
        title: String(a.title ?? '').slice(0, 500),
        severity: (SEVERITIES.has(sev) ? sev : 'moderate') as Advisory['severity'],
        vulnerableVersions: range.slice(0, 500),
        url: typeof a.url === 'string' ? a.url : null,
      });
    }
  }
  return out;
}

/**
 * The advisory list the hub keeps (in `hub_settings`, so it survives restarts and every hub of one
 * database shares it), refreshed from npm's bulk advisory endpoint for the versions the fleet runs.
 */
export class Advisories {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: { db: Db; config: HubConfig }) {}

  async list(): Promise<AdvisoryList> {
    const rows = await this.d.db.query<{ value: Partial<AdvisoryList> }>(
      'SELECT value FROM hub_settings WHERE key = $1',
      [KEY],
    );
    const v = rows[0]?.value ?? {};
    return {
      advisories: v.advisories ?? [],
      pinned: { openclaw: this.d.config.deployOpenclawVersion, sidecar: HUB_VERSION },
      refreshedAt: v.refreshedAt ?? null,
      source: v.source ?? null,
      refreshError: v.refreshError ?? null,
    };
  }

  /** Asks the source about every version in the fleet (and the pinned ones); keeps the old list on failure. */
  async refresh(): Promise<AdvisoryList> {
    const url = this.d.config.advisoriesUrl;
    if (!url) return this.list();
    const before = await this.list();
    const rows = await this.d.db.query<{ o: string | null; s: string | null }>(
      'SELECT DISTINCT openclaw_version AS o, sidecar_version AS s FROM instances',
    );
    const ask: Record<string, string[]> = {
      openclaw: [...new Set([before.pinned.openclaw, ...rows.map((r) => r.o).filter((x): x is string => !!x)])],
      '@deepsignal/sidecar': [
        ...new Set([before.pinned.sidecar, ...rows.map((r) => r.s).filter((x): x is string => !!x)]),
      ],
    };
    let next: Partial<AdvisoryList>;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(ask),
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) throw new Error(`the advisory source answered ${res.status}`);
      next = {
        advisories: parseNpmBulk(await res.json()),
        refreshedAt: new Date().toISOString(),
        source: url,
        refreshError: null,
      };
    } catch (e) {
      next = { ...before, refreshError: (e as Error).message.slice(0, 500) };
    }
    await this.d.db.query(
      `INSERT INTO hub_settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [
        KEY,
        JSON.stringify({
          advisories: next.advisories,
          refreshedAt: next.refreshedAt,
          source: next.source,
          refreshError: next.refreshError,
        }),
      ],
    );
    return this.list();
  }

  /** Refreshes now and every `advisoriesRefreshHours` (only with a source). */
  start(): void {
    if (!this.d.config.advisoriesUrl || this.timer) return;
    void this.refresh().catch(() => {});
    this.timer = setInterval(
      () => void this.refresh().catch(() => {}),
      this.d.config.advisoriesRefreshHours * 3_600_000,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
