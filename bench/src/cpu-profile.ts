import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** One line of a profile summary: where self time went, in % of the samples. */
export interface ProfileLine {
  what: string;
  pct: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/**
 * A CPU profile of this process (node:inspector, what `node --cpu-prof` writes) over a window:
 * `stop` saves it (open it in Chrome DevTools) and sums self time by package or area, so the log
 * can say what the event loop was busy with.
 */
export async function profileThisProcess(): Promise<{
  stop: (file: string) => Promise<{ areas: ProfileLine[]; functions: ProfileLine[] }>;
}> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      return { areas: summarizeProfile(profile), functions: summarizeProfile(profile, 12, 'function') };
    },
  };
}

/**
 * Self time by area (a package under node_modules, a part of this repository, or V8/Node itself),
 * or by function within its area.
 */
export function summarizeProfile(p: Profile, top = 12, by: 'area' | 'function' = 'area'): ProfileLine[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  for (const id of p.samples) {
    const n = byId.get(id);
    if (!n) continue;
    const area = areaOf(n.callFrame);
    const key = by === 'area' || area.startsWith('(') ? area : `${n.callFrame.functionName || '(anonymous)'} [${area}]`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = p.samples.length || 1;
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([what, c]) => ({ what, pct: Math.round((c / total) * 1000) / 10 }));
}

function areaOf(f: { functionName: string; url: string }): string {
  const { url, functionName } = f;
  if (!url) return functionName.startsWith('(') ? functionName : functionName ? `(${functionName})` : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(hub|protocol|sidecar|bench)\/src\/([^/]+)/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url.split('/').slice(-2).join('/');
}
