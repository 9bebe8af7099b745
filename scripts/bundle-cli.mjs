// Bundles the berth CLI into dist/cli/:
//   berth-main.cjs  the whole CLI as one CommonJS script; each command's module
//                   is initialised only when that command runs
//   berth.cjs       the executable: runs berth-main.cjs through V8's code cache
//                   (cli/launcher.ts), which it keys by berth-main.cjs's hash
//   berth.mjs       the same for `node dist/cli/berth.mjs` (an ES module entry
//                   costs ~15 ms more CPU per start; prefer berth.cjs)
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --outdir DIR builds elsewhere (tests that must not race other tests' use of dist/cli).
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? process.argv[outdirArg + 1] : join(root, 'dist/cli');
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

// esbuild leaves some non-ASCII characters (in regular expressions) as they
// are; escaping them makes the bundle pure ASCII, which the launcher reads as
// latin1 — several ms cheaper per start than decoding UTF-8.
async function asciiOnly(file) {
  const text = await readFile(file, 'utf8');
  const ascii = text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  await writeFile(file, ascii);
  return ascii;
}

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  // Every start reads, and V8's code cache holds, the whole bundle: smaller is cheaper.
  minify: true,
  metafile: true,
  logLevel: 'warning',
};

await rm(outdir, { recursive: true, force: true });
const outputs = {};
try {
  const main = await build({
    ...common,
    entryPoints: ['cli/berth.ts'],
    outfile: join(outdir, 'berth-main.cjs'),
    // ws's optional native speed-ups; ws falls back to JS when they are absent.
    external: ['bufferutil', 'utf-8-validate'],
    // Shared code that finds files relative to itself (src/native/addon.ts) gets
    // the bundle's own URL, computed only when asked for.
    define: { __BERTH_VERSION__: JSON.stringify(version), 'import.meta.url': '__berthImportMeta.url' },
    banner: { js: "const __berthImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
    plugins: [lazyBuiltins],
  });
  const bundleId = createHash('sha256').update(await asciiOnly(join(outdir, 'berth-main.cjs'))).digest('hex').slice(0, 16);
  const launcher = await build({
    ...common,
    entryPoints: ['cli/launcher.ts'],
    outfile: join(outdir, 'berth.cjs'),
    define: { __BERTH_BUNDLE_ID__: JSON.stringify(bundleId) },
    banner: { js: '#!/usr/bin/env node' },
  });
  Object.assign(outputs, main.metafile.outputs, launcher.metafile.outputs);
} catch {
  // esbuild has already printed the errors with their locations.
  console.error('bundle-cli: the CLI bundle failed; fix the errors above and run `npm run build:cli` again.');
  process.exit(1);
}
await writeFile(join(outdir, 'berth.mjs'),
  "#!/usr/bin/env node\n// Runs the CLI through berth.cjs (see scripts/bundle-cli.mjs).\n" +
  "import { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('./berth.cjs');\n");
await chmod(join(outdir, 'berth.cjs'), 0o755);
await chmod(join(outdir, 'berth.mjs'), 0o755);

if (process.argv.includes('--report')) {
  for (const [file, info] of Object.entries(outputs)) {
    console.log(`${String(info.bytes).padStart(8)}  ${file}`);
  }
}
