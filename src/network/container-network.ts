// A container's network: the mode chosen at creation (--network), and, for
// bridge networks, the persistent network namespace and the CNI attachments
// made before the runtime starts the container and undone after it exits.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';
import { isMountPoint } from '../util/mountinfo.js';
import { umount2, MNT_DETACH } from '../native/addon.js';
import type { MetadataDb } from '../store/db.js';
import { chainAdd, chainDel, type CachedAttachment } from './cni-chain.js';
import { ensureBridgeAddress } from './bridge-address.js';
import { containerNetworks, endpointSettings } from './endpoints.js';
import type { ContainerContext } from '../machines/container.js';
import { allocatePorts, exposedMappings, parsePublish, type PortMapping } from './ports.js';
import type { EtcOptions } from './etc-files.js';
import { cniCacheDir, conflistOf, defaultNetwork, requireNetwork, DEFAULT_NETWORK } from './network-store.js';
import { bridgeConfig } from './bridge-config.js';
import { checkStaticIpShape, ipsRuntimeConfig, staticIpError } from './static-ip.js';

const run = promisify(execFile);

/** Fixed at creation in the container's run spec. */
export interface ContainerNetwork {
  mode: 'none' | 'host' | 'bridge' | 'container';
  /** bridge mode: network ids, in attach order */
  networks?: string[];
  /** container mode: the container whose namespace is joined */
  container?: string;
  /** -p and -P, published through the first network */
  ports?: PortMapping[];
  /** --ip on the first network */
  ip?: string;
}

/** -p specs and -P's exposed ports, for a bridge-mode container. On the host's network they are discarded, as dockerd does (the CLI warns). */
export function checkPublish(net: ContainerNetwork | undefined, publish: string[] | undefined, exposed: string[] | null): PortMapping[] | undefined {
  const ports = [...(publish ?? []).flatMap(parsePublish), ...(exposed ? exposedMappings(exposed) : [])];
  if (ports.length === 0 || net?.mode === 'host') return undefined;
  if (net?.mode !== 'bridge') throw new BerthError('invalid_argument', 'published ports need a bridge network: add --network bridge or --network NAME');
  return ports;
}

/** "proto/port" of the host ports other containers publish now (from the CNI cache). */
async function portsInUse(root: string, except: string): Promise<Set<string>> {
  const dir = cniCacheDir(root);
  const used = new Set<string>();
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (f.includes(`-${except}-`)) continue;
    try {
      const c = JSON.parse(await readFile(join(dir, f), 'utf8')) as CachedAttachment;
      for (const m of (c.runtimeConfig.portMappings ?? []) as PortMapping[]) used.add(`${m.protocol}/${m.hostPort}`);
    } catch {
      /* being written */
    }
  }
  return used;
}

/** The published ports of a container as its CNI cache holds them (host ports made concrete). */
export async function publishedPorts(root: string, id: string): Promise<PortMapping[]> {
  const dir = cniCacheDir(root);
  const out: PortMapping[] = [];
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (!f.includes(`-${id}-`)) continue;
    let c: Partial<CachedAttachment>;
    try {
      c = JSON.parse(await readFile(join(dir, f), 'utf8')) as Partial<CachedAttachment>;
    } catch {
      continue; // removed or being written: not published (yet, or any more)
    }
    out.push(...((c.runtimeConfig?.portMappings ?? []) as PortMapping[]));
  }
  return out;
}

/**
 * --network none|host|bridge|default|NAME|container:ID, resolved. Without
 * one, the default bridge network (created on first use), or none when the
 * daemon runs with --bridge none. --network-alias and --ip are checked against it.
 */
export async function resolveNetworkMode(
  db: MetadataDb,
  p: { network?: string; networkAliases?: string[]; ip?: string },
  findContainer: (ref: string) => string,
): Promise<ContainerNetwork> {
  const net = await resolveMode(db, p.network, findContainer);
  const rec = net.mode === 'bridge' ? db.networks.get(net.networks![0]) : undefined;
  if (rec?.name === DEFAULT_NETWORK && (p.networkAliases ?? []).length > 0) {
    throw new BerthError('invalid_argument', 'network-scoped alias is supported only for containers in user defined networks; use --network NAME with a network from berth network create');
  }
  if (p.ip !== undefined) {
    if (!rec) throw new BerthError('invalid_argument', `--ip needs a user network with a user-configured subnet, not network mode ${net.mode}; add --network NAME`);
    checkStaticIpShape(rec, p.ip);
    net.ip = p.ip;
  }
  return net;
}

async function resolveMode(db: MetadataDb, mode: string | undefined, findContainer: (ref: string) => string): Promise<ContainerNetwork> {
  if (mode === undefined || mode === '' || mode === 'default') {
    if (!bridgeConfig().enabled) return { mode: 'none' };
    return { mode: 'bridge', networks: [(await defaultNetwork(db)).id] };
  }
  if (mode === 'none') return { mode: 'none' };
  if (mode === 'host') return { mode: 'host' };
  if (mode.startsWith('container:')) {
    const ref = mode.slice('container:'.length);
    if (!ref) throw new BerthError('invalid_argument', '--network container: needs a container name or id, e.g. --network container:web');
    return { mode: 'container', container: findContainer(ref) };
  }
  const net = mode === DEFAULT_NETWORK ? await defaultNetwork(db) : requireNetwork(db, mode);
  return { mode: 'bridge', networks: [net.id] };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIp = (s: string): boolean => IPV4.test(s) && s.split('.').every((x) => Number(x) <= 255) || (s.includes(':') && /^[0-9a-fA-F:]+$/.test(s));

/** --add-host HOST:IP, --dns IP, --dns-search DOMAIN, --dns-option OPT, --network-alias NAME, checked. */
export function checkEtcOptions(
  p: { addHosts?: string[]; dns?: string[]; dnsSearch?: string[]; dnsOptions?: string[]; networkAliases?: string[] },
  net: ContainerNetwork | undefined,
): EtcOptions | undefined {
  for (const h of p.addHosts ?? []) {
    const i = h.indexOf(':');
    if (i <= 0 || !isIp(h.slice(i + 1))) throw new BerthError('invalid_argument', `invalid --add-host "${h}": use HOST:IP, e.g. --add-host db:10.0.0.5`);
  }
  for (const d of p.dns ?? []) if (!isIp(d)) throw new BerthError('invalid_argument', `invalid --dns "${d}": give an IP address`);
  for (const o of p.dnsOptions ?? []) {
    if (o === '' || /\s/.test(o)) throw new BerthError('invalid_argument', `invalid --dns-option "${o}": give one resolv.conf option without spaces, e.g. --dns-option ndots:2`);
  }
  for (const a of p.networkAliases ?? []) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(a)) throw new BerthError('invalid_argument', `invalid --network-alias "${a}": use letters, digits, and _ . -`);
  }
  if ((p.networkAliases ?? []).length > 0 && net?.mode !== 'bridge') {
    throw new BerthError('invalid_argument', '--network-alias is only supported for user-defined and bridge networks: add --network NAME');
  }
  const etc: EtcOptions = { addHosts: p.addHosts, dns: p.dns, dnsSearch: p.dnsSearch, dnsOptions: p.dnsOptions, aliases: p.networkAliases };
  return Object.values(etc).some((v) => v && v.length > 0) ? etc : undefined;
}

export function netnsPath(execRoot: string, id: string): string {
  return join(execRoot, 'netns', id.slice(0, 16));
}

async function createNetns(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o711 });
  await writeFile(path, '');
  try {
    // lo comes up in the same run (CNI's loopback plugin would be one more process)
    await run('unshare', [`--net=${path}`, 'ip', 'link', 'set', 'lo', 'up']);
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
    const ctx = { id, spec: { network: net } as ContainerContext['spec'] };
    for (const [k, netId] of containerNetworks(env.db, ctx).entries()) {
      const rec = env.db.networks.get(netId);
      if (!rec) throw new BerthError('not_found', `network ${netId.slice(0, 12)} of this container was removed; connect the container to another network`);
      const portMappings = k === 0 && net.ports ? await allocatePorts(net.ports, await portsInUse(env.root, id)) : [];
      const { ip } = endpointSettings(env.db, ctx, netId);
      await ensureBridgeAddress(rec);
      await chainAdd(cniCacheDir(env.root), conflistOf(env.root, rec, portMappings.length > 0), { containerId: id, netns: path, ifName: `eth${k}` }, {
        ...(portMappings.length > 0 ? { portMappings } : {}),
        ...ipsRuntimeConfig(rec, ip),
      }).catch((err: unknown) => {
        throw staticIpError(err, rec, ip);
      });
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
