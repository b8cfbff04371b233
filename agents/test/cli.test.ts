import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';

describe('agent CLI', () => {
  it('exits 2 with one line on bad settings, 0 on --help for every agent', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['nope'], {})).toBe(2);
      expect(await main(['orchestrator', '--bogus'], {})).toBe(2);
      expect(await main(['support'], {})).toBe(2);
      expect(await main(['security', '--mad-factor', 'lots'], { DS_AGENT_TOKEN: 'x'.repeat(20) })).toBe(2);
      const lines = err.mock.calls.map((c) => String(c[0]));
      expect(lines.every((l) => l.startsWith('agent: ') && l.trim().split('\n').length === 1)).toBe(true);
      expect(lines[2]).toContain('DS_AGENT_TOKEN');
      for (const sub of ['orchestrator', 'support', 'security', 'learning'])
        expect(await main([sub, '--help'], {})).toBe(0);
      expect(await main(['--help'], {})).toBe(0);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });
});
