import type { AdvisoryList, InstanceDetail } from '../hub-types.js';
import type { SecurityFinding } from './finding.js';

/** Numeric release parts and an optional prerelease tag (`2026.9.6-beta.1` -> [2026,9,6], "beta.1"). */
function parse(v: string): { parts: number[]; pre: string } | null {
  const m = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(v.trim());
  if (!m) return null;
  return { parts: m[1].split('.').map(Number), pre: m[2] ?? '' };
}

/** Compares two versions as npm does for release parts (a prerelease sorts before its release); null if either is not a version. */
export function compareVersions(a: string, b: string): number | null {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/**
 * Whether `version` is in an npm range as advisories write them: `||` alternatives of
 * space-separated comparators (`<`, `<=`, `>`, `>=`, `=` or bare), `*` for all. A range it cannot
 * read matches nothing (and is reported by the caller through the advisory's id).
 */
export function inRange(version: string, range: string): boolean {
  return range.split('||').some((alt) => {
    const comps = alt
      .trim()
      .replace(/(<=|>=|<|>|=)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    if (!comps.length) return false;
    return comps.every((c) => {
      if (c === '*' || c === 'x') return true;
      const m = /^(<=|>=|<|>|=)?(.+)$/.exec(c);
      const d = m ? compareVersions(version, m[2]) : null;
      if (d === null || !m) return false;
      switch (m[1]) {
        case '<':
          return d < 0;
        case '<=':
          return d <= 0;
        case '>':
          return d > 0;
        case '>=':
          return d >= 0;
        default:
          return d === 0;
      }
    });
  });
}

const PACKAGES = [
  { pkg: 'openclaw', field: 'openclawVersion', name: 'OpenClaw', pin: 'openclaw', update: 'openclaw.update' },
  { pkg: '@deepsignal/sidecar', field: 'sidecarVersion', name: 'sidecar', pin: 'sidecar', update: 'sidecar.update' },
] as const;

/**
 * Each instance's OpenClaw and sidecar version against the hub's advisories and the pinned
 * current version: a finding per affected instance and package, and a proposal to update to the
 * pinned version when that one is not affected itself. Updates are high-risk for the hub, so its
 * policy holds them for an admin and the client's maintenance window.
 */
export function checkVersions(instances: InstanceDetail[], list: AdvisoryList): SecurityFinding[] {
  const out: SecurityFinding[] = [];
  for (const i of instances) {
    for (const p of PACKAGES) {
      const current = i[p.field];
      if (!current) continue;
      const pinned = list.pinned[p.pin];
      const hits = list.advisories.filter((a) => a.package === p.pkg && inRange(current, a.vulnerableVersions));
      const behind = (compareVersions(current, pinned) ?? 0) < 0;
      if (!hits.length && !behind) continue;
      const pinnedSafe = !list.advisories.some((a) => a.package === p.pkg && inRange(pinned, a.vulnerableVersions));
      const worst = hits.some((a) => a.severity === 'critical' || a.severity === 'high');
      const kind = hits.length ? `${p.pin}_vulnerable` : `${p.pin}_outdated`;
      const what = hits.length
        ? `${p.name} ${current} on ${i.hostname} is affected by ${hits.map((a) => `${a.id} (${a.severity}: ${a.title})`).join(', ')}`
        : `${p.name} ${current} on ${i.hostname} is behind the pinned ${pinned}`;
      out.push({
        dedupeKey: `versions:${i.id}:${p.pin}:${current}:${hits
          .map((a) => a.id)
          .sort()
          .join(',')}`,
        check: 'versions',
        instanceId: i.id,
        kind,
        severity: hits.length ? (worst ? 'critical' : 'warning') : 'info',
        what,
        evidence: {
          hostname: i.hostname,
          package: p.pkg,
          current,
          pinned,
          advisories: hits.map((a) => ({ id: a.id, severity: a.severity, range: a.vulnerableVersions, url: a.url })),
          advisoriesRefreshedAt: list.refreshedAt,
        },
        ...(pinnedSafe && behind && p.update === 'openclaw.update'
          ? {
              proposal: {
                title: `Update OpenClaw on ${i.hostname} to ${pinned}`,
                commands: [{ instanceId: i.id, type: p.update, params: { version: pinned } }],
                expectedEffect: `OpenClaw ${pinned} runs on ${i.hostname}${hits.length ? `; ${hits.map((a) => a.id).join(', ')} no longer apply` : ''}`,
                risk: hits.length && worst ? 'medium' : 'low',
                reasoning: what,
              },
            }
          : {}),
      });
    }
  }
  return out;
}
