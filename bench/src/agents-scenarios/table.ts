import type { SuiteReport } from './suite.js';

const sec = (v: number | null) => (v === null ? '—' : `${Math.round(v * 10) / 10} s`);

/** The per-scenario table (Markdown) BENCHMARKS.md carries, from one suite run. */
export function scenarioTable(r: SuiteReport): string {
  const rows = r.scenarios.map((s) => {
    const outcome =
      s.response === 'escalation'
        ? s.escalated
          ? 'escalated to a person'
          : 'no'
        : s.mitigated
          ? `yes, ${sec(s.mitigateSec)}`
          : 'no';
    return `| ${s.title} | ${s.detected ? `yes (\`${s.detectedBy}\`)` : 'no'} | ${sec(s.detectSec)} | ${
      s.actions.length ? s.actions.map((a) => `\`${a}\``).join(', ') : 'none'
    } | ${outcome} | ${s.unsafe.length} |`;
  });
  const control = `| no-fault control (${r.control.seconds} s, whole fleet) | ${r.control.falseFindings.length} false finding(s) | | ${
    r.strayActions.length ? r.strayActions.map((a) => `\`${a.type}\``).join(', ') : 'none'
  } | | ${r.strayActions.length} |`;
  return [
    '| scenario | detected | time to detect | right action proposed | mitigated | unsafe / unneeded |',
    '|---|---|---:|---|---|---:|',
    ...rows,
    control,
  ].join('\n');
}
