import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Keeps the suite's wall time visible: at the end of a run it prints the run's duration and the
 * ten slowest test files (setup, import and tests together), and writes the same figures to
 * `test-artifacts/durations.json` so CI can show them and runs can be compared.
 */
export default class DurationsReporter implements Reporter {
  private startedAt = Date.now();

  onTestRunStart() {
    this.startedAt = Date.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const wallMs = Date.now() - this.startedAt;
    const files = modules
      .map((m) => {
        const d = m.diagnostic();
        return {
          file: path.relative(process.cwd(), m.moduleId),
          project: m.project.name,
          ms: Math.round(d.duration + d.collectDuration + d.setupDuration + d.environmentSetupDuration),
          ok: m.ok(),
        };
      })
      .sort((a, b) => b.ms - a.ms);
    const lines = files
      .slice(0, 10)
      .map((f) => `  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.ok ? ' ' : '✗'} ${f.file}`);
    process.stdout.write(
      `\nSlowest test files:\n${lines.join('\n')}\nTest run wall time: ${(wallMs / 1000).toFixed(1)} s\n`,
    );
    try {
      const out = path.join(process.cwd(), 'test-artifacts');
      writeFileSync(path.join(out, 'durations.json'), `${JSON.stringify({ wallMs, files }, null, 2)}\n`);
    } catch {
      // test-artifacts/ is made by the global setup; a run without it still printed the figures.
    }
  }
}
