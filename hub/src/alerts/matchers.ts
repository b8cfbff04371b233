import type { Matcher, Silence } from './types.js';

/** Alertmanager matcher semantics: =, !=, =~, !~ (regexes anchored); a missing label is "". */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  let hit: boolean;
  if (m.isRegex) {
    try {
      hit = new RegExp(`^(?:${m.value})$`).test(v);
    } catch {
      hit = false;
    }
  } else hit = v === m.value;
  return m.isEqual ? hit : !hit;
}

export const matchesAll = (ms: Matcher[], labels: Record<string, string>) => ms.every((m) => matches(m, labels));

/** Whether a silence is in effect at `now` for these labels (a client's silence only for its own alerts). */
export function silences(s: Silence, labels: Record<string, string>, now: number): boolean {
  if (now < s.startsAt.getTime() || now >= s.endsAt.getTime()) return false;
  if (s.clientId && labels.client !== s.clientId) return false;
  return matchesAll(s.matchers, labels);
}

/** Checks regexes up front so a bad silence is a 400, not a silent no-op. */
export function invalidMatcher(ms: Matcher[]): string | null {
  for (const m of ms) {
    if (!m.isRegex) continue;
    try {
      new RegExp(m.value);
    } catch (e) {
      return `matcher ${m.name}: ${(e as Error).message}`;
    }
  }
  return null;
}
