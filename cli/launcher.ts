// The `berth` executable (dist/cli/berth.cjs): runs a CLI bundle through
// V8's code cache, so a start does not parse and compile the CLI's code
// again. The busiest commands (run, ps, rm, …) have bundles of their own,
// berth-<command>.cjs, holding only that command's grammar and code; every
// other command line runs the whole CLI, berth-main.cjs. Node 20 has no
// module compile cache, and an ES module entry alone costs ~15 ms more CPU
// than a CommonJS one, so each bundle is one CommonJS script compiled here
// with vm.Script and cachedData.
//
// Each bundle's cache sits beside it, named after the bundle's content hash,
// so a rebuilt bundle never reads an old cache. V8 itself rejects a cache
// from another Node/V8 version or other V8 flags; an absent or rejected
// cache is written again when the command exits. The cache is an
// optimisation only: a missing, corrupt or unwritable one never fails berth.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { writeFileAtomicSync } from './atomic-write-sync.js';
import { CODE_CACHE_STATE, type CodeCacheState } from './code-cache-state.js';
import { commandWordOf } from './command-word.js';
import { restoreExtraCaCerts } from './extra-ca-certs.js';

restoreExtraCaCerts();

/** Each bundle's name (main, or the command it holds) and the hash of its content. */
declare const __BERTH_BUNDLES__: Record<string, string>;

const own = commandWordOf(process.argv.slice(2), (word) => word !== 'main' && Object.hasOwn(__BERTH_BUNDLES__, word));
const name = own ?? 'main';
const bundle = join(__dirname, `berth-${name}.cjs`);
const cacheFile = join(__dirname, `berth-${name}.${__BERTH_BUNDLES__[name]}.cache`);

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined; // absent (first start) or unreadable: compile from source
  }
}

/** The bundle as a script; a broken install is reported, not thrown. */
function compile(cachedData: Buffer | undefined): Script {
  try {
    // The CommonJS wrapper on the bundle's first line keeps its line numbers. The
    // bundle is pure ASCII (scripts/bundle-cli.mjs), so latin1 reads it exactly.
    const source = readFileSync(bundle, 'latin1');
    return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    process.stderr.write(`berth: cannot load the CLI bundle ${bundle}: ${why}\n` +
      'The installation is incomplete or damaged: rebuild it with `npm run build` (or reinstall berth).\n');
    process.exit(1);
  }
}

const cached = readCache();
const script = compile(cached);
const state: CodeCacheState = cached === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
(globalThis as Record<symbol, unknown>)[CODE_CACHE_STATE] = state;

if (state !== 'accepted') {
  // On exit the cache also holds the functions this command compiled lazily.
  process.once('exit', () => {
    try {
      writeFileAtomicSync(cacheFile, script.createCachedData(), 0o644);
    } catch {
      // Read-only install or full disk: berth works without the cache.
    }
  });
}

const mainModule = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)
  .call(mainModule.exports, mainModule.exports, createRequire(bundle), mainModule, bundle, dirname(bundle));
