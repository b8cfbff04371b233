#!/usr/bin/env node
// Bundles the sidecar into one ESM file for client VPSs: no tsx, no TypeScript, no dev dependencies
// at run time, and a smaller footprint (one parsed module instead of hundreds).
// Usage: node sidecar/scripts/build.mjs [--outfile path] [--metafile path] [--version v]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'node sidecar/scripts/build.mjs [--outfile <path>] [--metafile <path>] [--version <v>]\n' +
      "  (default sidecar/dist/deepsignal-sidecar.mjs; --metafile writes esbuild's input/output map, e.g. for\n" +
      "  https://esbuild.github.io/analyze/; --version stamps another version than the sources')",
  );
  process.exit(0);
}
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const outfile = resolve(opt('--outfile') ?? join(here, '..', 'dist', 'deepsignal-sidecar.mjs'));
const metafile = opt('--metafile');
// The version the bundle reports (hello) and names in its first line, `// deepsignal-sidecar <v>`,
// which the hub and a self-update read without running the file (sidecar/src/changes/bundle-state.ts).
const version =
  opt('--version') ?? /SOURCE_VERSION = '([^']+)'/.exec(readFileSync(join(here, '..', 'src', 'version.ts'), 'utf8'))[1];
if (!/^[A-Za-z0-9._-]{1,64}$/.test(version)) {
  console.error(`bad --version ${JSON.stringify(version)}: letters, digits, dots, dashes, underscores`);
  process.exit(2);
}

/**
 * Modules that stay in the bundle but are evaluated only when first used: `require('socks')`
 * becomes an object whose getters load the real module. mqtt.js requires socks (and with it
 * ip-address and smart-buffer) at start-up, yet uses it only for a SOCKS proxy.
 */
const LAZY_REQUIRES = ['socks'];
const lazyRequire = {
  name: 'lazy-require',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_REQUIRES.join('|')})$`);
    b.onResolve({ filter }, (a) =>
      a.namespace === 'lazy-require'
        ? undefined
        : { path: a.path, namespace: 'lazy-require', pluginData: a.resolveDir },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (a) => {
      // the real module's export names, to define one getter each
      const real = createRequire(join(a.pluginData, 'x.js'))(a.path);
      const names = Object.keys(real).filter((k) => k !== 'default' && k !== '__esModule');
      const getters = names.map((k) => `get ${JSON.stringify(k)}() { return load()[${JSON.stringify(k)}]; }`);
      return {
        contents: `let m; const load = () => (m ??= require(${JSON.stringify(a.path)}));
module.exports = { __esModule: true, ${getters.join(', ')} };`,
        loader: 'js',
        resolveDir: a.pluginData,
      };
    });
  },
};

const result = await build({
  entryPoints: [join(here, '..', 'src', 'cli.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  // Native or rarely used: resolved from node_modules next to the bundle when needed.
  external: ['@lydell/node-pty', 'systeminformation'],
  plugins: [lazyRequire],
  define: { __DS_SIDECAR_VERSION__: JSON.stringify(version) },
  // V8 keeps the whole bundle's source in memory for the process's life, as two bytes per
  // character if any comment holds a non-ASCII one: dropping comments and whitespace shrinks it
  // from ~2.6 MB to well under 1 MB. Names stay as written, so stack traces stay readable.
  minifyWhitespace: true,
  legalComments: 'eof',
  banner: {
    js: `// deepsignal-sidecar ${version}\nimport{createRequire as __cr}from'module';const require=__cr(import.meta.url);`,
  },
  metafile: Boolean(metafile),
  logLevel: 'warning',
});
if (metafile) writeFileSync(resolve(metafile), JSON.stringify(result.metafile));
console.log(`sidecar bundle ${version}: ${outfile}`);
