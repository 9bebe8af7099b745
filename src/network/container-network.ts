// A container's network: the mode chosen at creation (--network), and, for
// bridge networks, the persistent network namespace and the CNI attachments
// made before the runtime starts the container and undone after it exits.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';
import { isMountPoint } from '../util/mountinfo.js';
import { umount2, MNT_DETACH } from '../native/addon.js';
import type { MetadataDb } from '../store/db.js';
import { chainAdd, chainDel } from './cni-chain.js';
import { execPlugin } from './cni-exec.js';
import { cniCacheDir, conflistOf, defaultNetwork, requireNetwork, DEFAULT_NETWORK } from './network-store.js';

const run = promisify(execFile);

/** Fixed at creation in the container's run spec. */
export interface ContainerNetwork {
  mode: 'none' | 'host' | 'bridge' | 'container';
  /** bridge mode: network ids, in attach order */
  networks?: string[];
  /** container mode: the container whose namespace is joined */
  container?: string;
}

/** --network none|host|bridge|NAME|container:ID, resolved (the default network is created on first use). */
export async function resolveNetworkMode(db: MetadataDb, mode: string | undefined, findContainer: (ref: string) => string): Promise<ContainerNetwork> {
  if (mode === undefined || mode === 'none' || mode === '') return { mode: 'none' };
  if (mode === 'host') return { mode: 'host' };
  if (mode.startsWith('container:')) {
    const ref = mode.slice('container:'.length);
    if (!ref) throw new BerthError('invalid_argument', '--network container: needs a container name or id, e.g. --network container:web');
    return { mode: 'container', container: findContainer(ref) };
  }
  const net = mode === DEFAULT_NETWORK ? await defaultNetwork(db) : requireNetwork(db, mode);
  return { mode: 'bridge', networks: [net.id] };
}

export function netnsPath(execRoot: string, id: string): string {
  return join(execRoot, 'netns', id.slice(0, 16));
}

async function createNetns(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o711 });
  await writeFile(path, '');
  try {
    await run('unshare', [`--net=${path}`, 'true']);
  } catch (err) {
    await rm(path, { force: true });
    throw new BerthError('runtime_error', `cannot create the network namespace ${path}: ${(err as Error).message}`);
  }
}

async function removeNetns(path: string): Promise<void> {
  if (await isMountPoint(path)) umount2(path, MNT_DETACH);
  await rm(path, { force: true });
}

export interface NetworkEnv { db: MetadataDb; root: string; execRoot: string }

/**
 * Before the runtime runs: the path of the network namespace to join, or
 * "host", or null for a fresh empty one (none). Bridge networks get their
 * namespace here, with lo up and one CNI attachment (eth0, eth1, …) each.
 */
export async function attachNetwork(env: NetworkEnv, id: string, net: ContainerNetwork | undefined, containerPid: (id: string) => number | null): Promise<string | null> {
  if (!net || net.mode === 'none') return null;
  if (net.mode === 'host') return 'host';
  if (net.mode === 'container') {
    const pid = containerPid(net.container as string);
    if (!pid) throw new BerthError('conflict', `cannot join the network of container ${String(net.container).slice(0, 12)}: it is not running`);
    return `/proc/${pid}/ns/net`;
  }
  await detachNetwork(env, id); // what a crash during an earlier start left
  const path = netnsPath(env.execRoot, id);
  await createNetns(path);
  try {
    await execPlugin('ADD', 'lo', { type: 'loopback' }, { containerId: id, netns: path, ifName: 'lo' });
    for (const [k, netId] of (net.networks ?? []).entries()) {
      const rec = env.db.networks.get(netId);
      if (!rec) throw new BerthError('not_found', `network ${netId.slice(0, 12)} of this container was removed; connect the container to another network`);
      await chainAdd(cniCacheDir(env.root), conflistOf(env.root, rec), { containerId: id, netns: path, ifName: `eth${k}` });
    }
  } catch (err) {
    await detachNetwork(env, id).catch(() => {});
    throw err;
  }
  return path;
}

/** CNI DEL of every cached attachment of the container, then its namespace goes. Idempotent. */
export async function detachNetwork(env: NetworkEnv, id: string): Promise<void> {
  const dir = cniCacheDir(env.root);
  const files = await readdir(dir).catch(() => [] as string[]);
  let firstError: unknown = null;
  for (const f of files.filter((f) => f.includes(`-${id}-`))) {
    await chainDel(join(dir, f)).catch((err: unknown) => (firstError ??= err));
  }
  await removeNetns(netnsPath(env.execRoot, id));
  if (firstError) throw firstError;
}

/** The OCI spec's network namespace entry for what attachNetwork returned. */
export function applyNetns(oci: Record<string, unknown>, ns: string | null): void {
  if (ns === null) return;
  const linux = oci.linux as { namespaces: { type: string; path?: string }[] };
  linux.namespaces = linux.namespaces.filter((n) => n.type !== 'network');
  if (ns !== 'host') linux.namespaces.push({ type: 'network', path: ns });
}
