import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { type BenchResult, round } from '../results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TEST = 'sidecar/test/variant-gateway.test.ts';

/**
 * `variant.gateway_test_s`: the A/B variant's test against a REAL OpenClaw gateway
 * (sidecar/test/variant-gateway.test.ts, off in `npm test` because it takes over a minute on a
 * 2-core machine): gateway start, the variant agent added beside main, one turn on each agent
 * with its own persona, the variant removed and the config as it was. The figure is the whole
 * file's wall time; a failing run gives no figure and the test's last lines as the note.
 */
export async function variantGatewayBenchmark(log: (s: string) => void): Promise<BenchResult[]> {
  const t0 = performance.now();
  let out = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'sidecar', TEST],
      { cwd: ROOT, env: { ...process.env, DS_TEST_VARIANT_GATEWAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const s = (performance.now() - t0) / 1000;
  const plain = stripVTControlCharacters(out);
  // A skipped test also exits 0: it must say it passed.
  const passed = code === 0 && /Tests\s+1 passed/.test(plain);
  log(`  ${TEST}: ${passed ? 'passed' : `failed (exit ${code})`} in ${round(s, 1)} s`);
  const tail = plain
    .split('\n')
    .filter((l) => /Error|expected|FAIL|×/.test(l))
    .slice(0, 3)
    .join(' | ');
  return [
    {
      name: 'variant.gateway_test_s',
      value: passed ? round(s, 1) : null,
      unit: 's',
      note: passed
        ? 'real OpenClaw gateway: start, variant agent added, a turn on each agent with its own persona, variant removed, config as before'
        : `failed: ${tail.slice(0, 300) || `exit ${code}`}`,
    },
  ];
}
