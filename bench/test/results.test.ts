import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineInfo } from '../src/machine.js';
import { formatTable, meetsGoal, mergeReport, updateBenchmarksMd, withRatio } from '../src/results.js';

describe('results', () => {
  it('checks goals and computes ratios', () => {
    expect(meetsGoal({ name: 'a', value: 3, unit: 'x', goal: '>= 2' })).toBe(true);
    expect(meetsGoal({ name: 'a', value: 3, unit: 'x', goal: '<= 2' })).toBe(false);
    expect(meetsGoal({ name: 'a', value: null, unit: 'x', goal: '<= 2' })).toBeUndefined();
    expect(withRatio({ name: 'a', value: 50, unit: 'x', baseline: 200 }).ratio).toBe(0.25);
    const table = formatTable([{ name: 'ingest.points_per_s', value: 250000, unit: 'points/s', goal: '>= 200000' }]);
    expect(table).toContain('250,000');
    expect(table).toContain('met');
  });

  it('replaces only the figures block of BENCHMARKS.md', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-md-'));
    try {
      const file = path.join(dir, 'BENCHMARKS.md');
      writeFileSync(
        file,
        '# B\n\nprose before\n\n<!-- bench:results:begin -->\nold\n<!-- bench:results:end -->\n\nprose after\n',
      );
      const report = {
        machine: machineInfo('PostgreSQL 15.20 on x'),
        date: '2026-11-25T00:00:00Z',
        durationSec: 1,
        results: [{ name: 'x', value: 1, unit: 'u', goal: '>= 2', note: 'why' }],
      };
      updateBenchmarksMd(file, report);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('prose before');
      expect(text).toContain('prose after');
      expect(text).not.toContain('\nold\n');
      expect(text).toMatch(/\| `x` +\| +1 \| u +\|/); // padded by the formatter
      expect(text).toContain('MISSED');
      expect(text).toContain('- `x`: why');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('merged partial runs', () => {
  it('replaces the re-run figures, keeps the others and says from when', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-merge-'));
    try {
      const file = path.join(dir, 'latest.json');
      const machine = machineInfo('PostgreSQL 15.20 on x');
      writeFileSync(
        file,
        JSON.stringify({
          machine,
          date: '2026-11-01T00:00:00Z',
          durationSec: 600,
          results: [
            { name: 'a', value: 1, unit: 'u' },
            { name: 'b', value: 2, unit: 'u' },
          ],
        }),
      );
      const merged = mergeReport(file, {
        machine,
        date: '2026-12-01T00:00:00Z',
        durationSec: 60,
        results: [
          { name: 'b', value: 3, unit: 'u' },
          { name: 'c', value: 4, unit: 'u' },
        ],
      });
      expect(merged.results.map((r) => [r.name, r.value])).toEqual([
        ['a', 1],
        ['b', 3],
        ['c', 4],
      ]);
      expect(merged.kept?.from).toBe('2026-11-01T00:00:00Z');
      // merged again: the kept figures are still from the first run
      writeFileSync(file, JSON.stringify(merged));
      const twice = mergeReport(file, { machine, date: '2026-12-02T00:00:00Z', durationSec: 60, results: [] });
      expect(twice.kept?.from).toBe('2026-11-01T00:00:00Z');
      const fresh = mergeReport(path.join(dir, 'none.json'), { machine, date: 'd', durationSec: 1, results: [] });
      expect(fresh.kept).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
