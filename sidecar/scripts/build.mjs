#!/usr/bin/env node
// Bundles the sidecar into one ESM file for client VPSs: no tsx, no TypeScript, no dev dependencies
// at run time, and a smaller footprint (one parsed module instead of hundreds).
// Usage: node sidecar/scripts/build.mjs [--outfile path]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('node sidecar/scripts/build.mjs [--outfile <path>]  (default sidecar/dist/deepsignal-sidecar.mjs)');
  process.exit(0);
}
const i = args.indexOf('--outfile');
const outfile = resolve(i >= 0 ? args[i + 1] : join(here, '..', 'dist', 'deepsignal-sidecar.mjs'));

await build({
  entryPoints: [join(here, '..', 'src', 'cli.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  // Native or rarely used: resolved from node_modules next to the bundle when needed.
  external: ['@lydell/node-pty', 'systeminformation'],
  banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`sidecar bundle: ${outfile}`);
