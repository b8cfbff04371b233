// Bundles one TypeScript entry of the repository (e.g. the hub child the fault tests kill) into a
// single ESM file, so a spawned child starts without compiling TypeScript through tsx.
// Usage: node scripts/test/bundle-entry.mjs <entry.ts> <outfile.mjs>
//
// The repository's own sources (workspace packages included) go into the bundle; every other
// package stays an import resolved from node_modules, exactly as under tsx. `import.meta.url`
// keeps naming the source file it is written in, so paths built from it (the migrations folder,
// the metrics writer thread, the agents' runner script) point where they do when run from source.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error('usage: node scripts/test/bundle-entry.mjs <entry.ts> <outfile.mjs>');
  process.exit(2);
}

const repoSources = {
  name: 'repo-sources',
  setup(b) {
    // Bare imports are packages from node_modules, except the workspace packages, whose
    // entry points are TypeScript sources.
    b.onResolve({ filter: /^[^./]/ }, (a) =>
      a.path.startsWith('@deepsignal/') || a.kind === 'entry-point' ? undefined : { path: a.path, external: true },
    );
    b.onLoad({ filter: /\.[cm]?ts$/ }, async (a) => {
      const source = await readFile(a.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(a.path).href);
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

await build({
  entryPoints: [path.resolve(ROOT, entry)],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: path.resolve(ROOT, outfile),
  plugins: [repoSources],
  // Packages written as CommonJS call require(); an ESM bundle has none of its own.
  banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
});
