// Bundles the berth CLI into dist/cli/: a small entry (berth.mjs) holding the
// command grammar, plus one lazily imported chunk per command, so start-up
// only parses what the invoked command needs.
import { build } from 'esbuild';
import { chmod, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/cli');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

// Built-ins that bundled packages require when they load but only use on
// paths the CLI never takes: ws needs https/tls/zlib only for wss:// and
// compression, commander needs child_process only for executable
// sub-commands. They get stand-ins that load the real module on first
// property access, which keeps ~10 ms of module set-up out of every start.
const LAZY_BUILTINS = { ws: ['https', 'tls', 'zlib'], commander: ['child_process'] };
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    for (const [pkg, builtins] of Object.entries(LAZY_BUILTINS)) {
      const filter = new RegExp(`^(node:)?(${builtins.join('|')})$`);
      const inPackage = new RegExp(`[\\\\/]node_modules[\\\\/]${pkg}[\\\\/]`);
      b.onResolve({ filter }, (args) =>
        inPackage.test(args.importer) ? { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' } : undefined);
    }
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: `let real; const load = () => (real ??= require('node:${args.path}'));
module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });`,
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
let result;
try {
  result = await build({
  absWorkingDir: root,
  entryPoints: { berth: 'cli/berth.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ws's optional native speed-ups; ws falls back to JS when they are absent.
  external: ['bufferutil', 'utf-8-validate'],
  // Under the node condition msgpackr's main entry would look for its native extractor; pack/unpack are pure JS.
  define: { __BERTH_VERSION__: JSON.stringify(version) },
  banner: {
    // Bundled CommonJS (ws, commander) calls require() for Node built-ins; give every chunk one.
    js: "#!/usr/bin/env node\nimport { createRequire as __berthCreateRequire } from 'node:module';\nconst require = __berthCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  minifySyntax: true,
  minifyWhitespace: true,
  metafile: true,
  plugins: [lazyBuiltins],
  logLevel: 'warning',
  });
} catch {
  // esbuild has already printed the errors with their locations.
  console.error('bundle-cli: the CLI bundle failed; fix the errors above and run `npm run build:cli` again.');
  process.exit(1);
}
await chmod(join(outdir, 'berth.mjs'), 0o755);

if (process.argv.includes('--report')) {
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    console.log(`${String(info.bytes).padStart(8)}  ${file}`);
  }
}
