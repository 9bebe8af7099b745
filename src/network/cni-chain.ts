// A CNI network configuration list, run as a chain: ADD in order passing each
// result on as prevResult, DEL in reverse with the cached result. The result
// and the configuration it was made with are cached under Berth's root, so DEL
// works after a crash or a change of the network (CNI's cached-result rule).
import { readFile, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { execPlugin, type CniResult, type CniRuntimeConf } from './cni-exec.js';

export interface ConfList {
  name: string;
  plugins: Record<string, unknown>[];
}

export interface CachedAttachment {
  conflist: ConfList;
  rt: CniRuntimeConf;
  runtimeConfig: Record<string, unknown>;
  result: CniResult;
}

export function cacheFile(cacheDir: string, netName: string, containerId: string, ifName: string): string {
  return join(cacheDir, `${netName}-${containerId}-${ifName}.json`);
}

/** Runtime config a plugin asked for in `capabilities`. */
function pluginRuntimeConfig(plugin: Record<string, unknown>, rc: Record<string, unknown>): Record<string, unknown> | undefined {
  const caps = (plugin.capabilities ?? {}) as Record<string, boolean>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rc)) if (caps[k]) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

export async function chainAdd(cacheDir: string, conflist: ConfList, rt: CniRuntimeConf, runtimeConfig: Record<string, unknown> = {}): Promise<CniResult> {
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const file = cacheFile(cacheDir, conflist.name, rt.containerId, rt.ifName);
  // Cached before the first plugin runs: a crash half-way leaves what DEL needs.
  await writeFileAtomic(file, JSON.stringify({ conflist, rt, runtimeConfig, result: {} } satisfies CachedAttachment), 0o600);
  let result: CniResult = {};
  try {
    for (const plugin of conflist.plugins) {
      result = (await execPlugin('ADD', conflist.name, plugin, rt, { prevResult: result.cniVersion ? result : undefined, runtimeConfig: pluginRuntimeConfig(plugin, runtimeConfig) })) ?? result;
    }
  } catch (err) {
    await chainDel(file).catch(() => {});
    throw err;
  }
  await writeFileAtomic(file, JSON.stringify({ conflist, rt, runtimeConfig, result } satisfies CachedAttachment), 0o600);
  return result;
}

export async function chainCheck(file: string): Promise<void> {
  const c = JSON.parse(await readFile(file, 'utf8')) as CachedAttachment;
  for (const plugin of c.conflist.plugins) {
    await execPlugin('CHECK', c.conflist.name, plugin, c.rt, { prevResult: c.result, runtimeConfig: pluginRuntimeConfig(plugin, c.runtimeConfig) });
  }
}

/** DEL from the cache, every plugin in reverse even if one fails; the cache goes when all succeeded. */
export async function chainDel(file: string): Promise<void> {
  let c: CachedAttachment;
  try {
    c = JSON.parse(await readFile(file, 'utf8')) as CachedAttachment;
  } catch {
    return; // nothing attached
  }
  let firstError: unknown = null;
  for (const plugin of [...c.conflist.plugins].reverse()) {
    await execPlugin('DEL', c.conflist.name, plugin, c.rt, {
      prevResult: c.result.cniVersion ? c.result : undefined,
      runtimeConfig: pluginRuntimeConfig(plugin, c.runtimeConfig),
    }).catch((err: unknown) => (firstError ??= err));
  }
  if (firstError) throw firstError;
  await rm(file, { force: true });
}
