// /etc/hosts, /etc/resolv.conf and /etc/hostname of a container, written
// under its directory and bind-mounted. Containers on the same bridge
// network find each other by name and alias: when one starts or stops, the
// daemon rewrites the hosts files of the others (in place, as the bind mounts
// pin the inodes). Without a bridge network, as with Docker: `none` gets
// localhost only, `host` the host's own files, `container:ID` shares that
// container's.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetadataDb } from '../store/db.js';
import type { ContainerContext } from '../machines/container.js';
import type { CachedAttachment } from './cni-chain.js';
import { cniCacheDir, findNetwork } from './network-store.js';
import { endpointSettings } from './endpoints.js';

export interface EtcOptions {
  addHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  aliases?: string[];
}

interface Peer { id: string; ip: string; names: string[]; network: string }

const etcDir = (root: string, id: string): string => join(root, 'containers', id);
export const hostsFile = (root: string, id: string): string => join(etcDir(root, id), 'hosts');

function context(db: MetadataDb, id: string): ContainerContext | undefined {
  return (db.actors.get(`container/${id}`)?.snapshot as { context?: ContainerContext } | undefined)?.context;
}

/** Every live attachment (from the CNI cache), with the container's names on that network. */
async function attachments(db: MetadataDb, root: string): Promise<Peer[]> {
  const dir = cniCacheDir(root);
  const out: Peer[] = [];
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    try {
      const c = JSON.parse(await readFile(join(dir, f), 'utf8')) as CachedAttachment;
      const ip = ((c.result.ips ?? []) as { address: string }[])[0]?.address.split('/')[0];
      const ctx = context(db, c.rt.containerId);
      if (!ip || !ctx) continue;
      const net = findNetwork(db, c.conflist.name);
      const own = net ? endpointSettings(db, ctx, net.id).aliases ?? [] : [];
      out.push({ id: ctx.id, ip, network: c.conflist.name, names: [ctx.name, ctx.spec.hostname, ...(ctx.spec.etc?.aliases ?? []), ...own] });
    } catch {
      /* being written or removed */
    }
  }
  return out;
}

/** --add-host NAME:IP entries as hosts lines. */
function addHostLines(etc: EtcOptions | undefined): string[] {
  return (etc?.addHosts ?? []).map((entry) => {
    const i = entry.lastIndexOf(':');
    return `${entry.slice(i + 1)}\t${entry.slice(0, i)}`;
  });
}

function hostsText(ctx: ContainerContext, all: Peer[]): string {
  const mine = all.filter((p) => p.id === ctx.id);
  const myNets = new Set(mine.map((p) => p.network));
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters'];
  lines.push(...addHostLines(ctx.spec.etc));
  if (mine[0]) lines.push(`${mine[0].ip}\t${ctx.spec.hostname}`);
  // Peers on the default network are not resolvable by name, as in Docker.
  for (const p of all) {
    if (p.id !== ctx.id && myNets.has(p.network) && p.network !== 'bridge') lines.push(`${p.ip}\t${[...new Set(p.names)].join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** resolv.conf from the host's, with --dns, --dns-search and --dns-option; `loopbackReachable` on the host's network. */
function resolvFrom(host: string, etc: EtcOptions | undefined, loopbackReachable = false): string {
  // A nameserver on the host's loopback cannot be reached from a namespace of the container's own.
  let servers = host.split('\n').filter((l) => /^\s*nameserver\s/.test(l) && (loopbackReachable || !/\s(127\.|::1)/.test(l))).map((l) => l.trim().split(/\s+/)[1]);
  if (etc?.dns && etc.dns.length > 0) servers = etc.dns;
  const search = etc?.dnsSearch && etc.dnsSearch.length > 0 ? etc.dnsSearch : host.split('\n').find((l) => /^\s*search\s/.test(l))?.trim().split(/\s+/).slice(1) ?? [];
  const options = etc?.dnsOptions ?? [];
  return [...(search.length > 0 ? [`search ${search.join(' ')}`] : []), ...servers.map((s) => `nameserver ${s}`), ...(options.length > 0 ? [`options ${options.join(' ')}`] : [])].join('\n') + '\n';
}

async function resolvText(etc: EtcOptions | undefined): Promise<string> {
  return resolvFrom(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''), etc);
}

const ETC_FILES = ['hosts', 'resolv.conf', 'hostname'] as const;

function etcBinds(dir: string): Record<string, unknown>[] {
  return ETC_FILES.map((f) => ({ destination: `/etc/${f}`, type: 'bind', source: join(dir, f), options: ['rbind', 'rprivate'] }));
}

const hostFile = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/**
 * The /etc files of a container without a bridge network of its own, and
 * their OCI bind mounts. Synchronous: written with the bundle, on the start's
 * critical path.
 */
export function modeEtcMounts(root: string, ctx: ContainerContext): Record<string, unknown>[] {
  const net = ctx.spec.network;
  if (net?.mode === 'container') {
    const dir = etcDir(root, net.container ?? '');
    return ETC_FILES.every((f) => existsSync(join(dir, f))) ? etcBinds(dir) : [];
  }
  const dir = etcDir(root, ctx.id);
  const onHost = net?.mode === 'host';
  const hosts = onHost ? `${hostFile('/etc/hosts').replace(/\n?$/, '\n')}${addHostLines(ctx.spec.etc).map((l) => `${l}\n`).join('')}` : hostsText(ctx, []);
  writeFileSync(join(dir, 'hosts'), hosts);
  writeFileSync(join(dir, 'resolv.conf'), resolvFrom(hostFile('/etc/resolv.conf'), ctx.spec.etc, onHost));
  writeFileSync(join(dir, 'hostname'), `${ctx.spec.hostname}\n`);
  return etcBinds(dir);
}

/** Writes the container's three files and returns their OCI bind mounts. */
export async function writeEtcFiles(db: MetadataDb, root: string, ctx: ContainerContext): Promise<Record<string, unknown>[]> {
  const dir = etcDir(root, ctx.id);
  const all = await attachments(db, root);
  await Promise.all([
    writeFile(join(dir, 'hosts'), hostsText(ctx, all)),
    writeFile(join(dir, 'resolv.conf'), await resolvText(ctx.spec.etc)),
    writeFile(join(dir, 'hostname'), `${ctx.spec.hostname}\n`),
  ]);
  await refreshPeers(db, root, ctx.id, all);
  return etcBinds(dir);
}

/** Rewrites the hosts files of the containers sharing a network with `id` (after it joined or left), or on `alsoOn`. */
export async function refreshPeers(db: MetadataDb, root: string, id: string, known?: Peer[], alsoOn: string[] = []): Promise<void> {
  const all = known ?? (await attachments(db, root));
  const nets = new Set([...all.filter((p) => p.id === id).map((p) => p.network), ...alsoOn]);
  const peers = new Set(all.filter((p) => p.id !== id && (nets.size === 0 || nets.has(p.network))).map((p) => p.id));
  for (const peer of peers) {
    const ctx = context(db, peer);
    if (ctx) await writeFile(hostsFile(root, peer), hostsText(ctx, all)).then(() => {}, () => {});
  }
}
