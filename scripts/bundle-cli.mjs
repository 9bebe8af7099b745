// Bundles the berth CLI into dist/cli/:
//   berth-main.cjs  the whole CLI as one CommonJS script; each command's module
//                   is initialised only when that command runs
//   berth-CMD.cjs   one per busy command (OWN_BUNDLES): only its grammar and
//                   code, so a `berth run -d` reads, deserializes and runs a
//                   third of what berth-main.cjs holds
//   berth.cjs       the executable: picks the bundle for the command line and
//                   runs it through V8's code cache (cli/launcher.ts), which it
//                   keys by that bundle's hash
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

// The commands with a bundle of their own: the grammar's define (cli/grammar.ts)
// and the module that does the work (as cli/program.ts and cli/dispatch.ts map them).
const OWN_BUNDLES = {
  run: ['defineRun', 'container/run'],
  create: ['defineCreate', 'container/create'],
  start: ['defineStart', 'container/start'],
  stop: ['defineStop', 'container/stop'],
  kill: ['defineKill', 'container/kill'],
  rm: ['defineRm', 'container/remove'],
  ps: ['definePs', 'container/list'],
  logs: ['defineLogs', 'container/logs'],
  exec: ['defineExec', 'container/exec'],
  wait: ['defineWait', 'container/wait'],
  inspect: ['defineObjectInspect', 'container/inspect'],
  pull: ['definePull', 'image/pull'],
  images: ['defineImages', 'image/list'],
  rmi: ['defineRmi', 'image/remove'],
};
const ownEntry = {
  name: 'own-bundle-entry',
  setup(b) {
    b.onResolve({ filter: /^own-bundle:/ }, (args) => ({ path: args.path.slice('own-bundle:'.length), namespace: 'own-bundle' }));
    b.onLoad({ filter: /.*/, namespace: 'own-bundle' }, ({ path: word }) => {
      const [define, module] = OWN_BUNDLES[word];
      return {
        loader: 'ts',
        resolveDir: join(root, 'cli'),
        contents: `import { ${define} as define } from './grammar.js';
import { rootProgram } from './root-program.js';
import { runLoaded } from './run-command.js';
import { startCli } from './start.js';
import { CLIENT_VERSION } from './version.js';
startCli((dispatch) => {
  const program = rootProgram(CLIENT_VERSION);
  define(program, ${JSON.stringify(word)}, dispatch);
  return program;
}, (inv) => runLoaded(inv, () => import('./commands/${module}.js')));
`,
      };
    });
  },
};

// The first lines of the executable (dist/cli/berth.cjs): a shell script that
// runs the file with node, without NODE_EXTRA_CA_CERTS, whose certificates
// Node would parse at every start (~40 ms of CPU) for a CLI that never speaks
// TLS; the value travels in BERTH_NODE_EXTRA_CA_CERTS and the launcher puts
// it back (cli/extra-ca-certs.ts). Read as JavaScript, line 2 is a string and
// a comment. A shell costs ~1 ms; `#!/usr/bin/env -S` would need GNU env.
const SHELL_PREAMBLE = '#!/bin/sh\n' +
  `':' //; [ -z "\${NODE_EXTRA_CA_CERTS+set}" ] || { export BERTH_NODE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"; ` +
  'unset NODE_EXTRA_CA_CERTS; }; exec node "$0" "$@"';

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
  const entryPoints = { 'berth-main': 'cli/berth.ts' };
  for (const word of Object.keys(OWN_BUNDLES)) entryPoints[`berth-${word}`] = `own-bundle:${word}`;
  const main = await build({
    ...common,
    entryPoints,
    outdir,
    outExtension: { '.js': '.cjs' },
    // ws's optional native speed-ups; ws falls back to JS when they are absent.
    external: ['bufferutil', 'utf-8-validate'],
    // Shared code that finds files relative to itself (src/native/addon.ts) gets
    // the bundle's own URL, computed only when asked for.
    define: { __BERTH_VERSION__: JSON.stringify(version), 'import.meta.url': '__berthImportMeta.url' },
    banner: { js: "const __berthImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
    plugins: [lazyBuiltins, ownEntry],
  });
  const bundles = {};
  for (const name of Object.keys(entryPoints)) {
    const text = await asciiOnly(join(outdir, `${name}.cjs`));
    bundles[name.slice('berth-'.length)] = createHash('sha256').update(text).digest('hex').slice(0, 16);
  }
  const launcher = await build({
    ...common,
    entryPoints: ['cli/launcher.ts'],
    outfile: join(outdir, 'berth.cjs'),
    define: { __BERTH_BUNDLES__: JSON.stringify(bundles) },
    banner: { js: SHELL_PREAMBLE },
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
