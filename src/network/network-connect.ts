// `network connect` and `disconnect`: change a bridge-mode container's
// networks; a running container gets (or loses) the CNI attachment at once,
// and the hosts files of its peers follow.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { dockerState, type ContainerContext } from '../machines/container.js';
import type { MetadataDb } from '../store/db.js';
import { ensureBridgeAddress } from './bridge-address.js';
import { chainAdd, chainDel } from './cni-chain.js';
import { netnsPath } from './container-network.js';
import { containerNetworks, setContainerNetworks, setEndpointAliases } from './endpoints.js';
import { refreshNetwork, writeEtcFiles } from './etc-files.js';
import { cniCacheDir, conflistOf, requireNetwork } from './network-store.js';

export interface ConnectEnv { db: MetadataDb; root: string; execRoot: string }

function container(db: MetadataDb, id: string): { ctx: ContainerContext; running: boolean } {
  const snap = db.actors.get(`container/${id}`)?.snapshot as { value?: unknown; context?: ContainerContext } | undefined;
  if (!snap?.context) throw new BerthError('not_found', `No such container: ${id}`);
  const ctx = snap.context;
  if (ctx.spec.network?.mode !== 'bridge') {
    throw new BerthError('invalid_argument', `container ${ctx.name} uses network mode ${ctx.spec.network?.mode ?? 'none'}: only containers on bridge networks can be connected or disconnected`);
  }
  const state = dockerState(snap.value);
  return { ctx, running: state === 'running' || state === 'paused' };
}

async function freeIfName(root: string, id: string): Promise<string> {
  const used = new Set((await readdir(cniCacheDir(root)).catch(() => [] as string[])).filter((f) => f.includes(`-${id}-`)).map((f) => f.slice(f.lastIndexOf('-') + 1, -'.json'.length)));
  for (let k = 0; ; k++) if (!used.has(`eth${k}`)) return `eth${k}`;
}

export async function connectNetwork(env: ConnectEnv, netRef: string, id: string, aliases: string[] = []): Promise<null> {
  const net = requireNetwork(env.db, netRef);
  const { ctx, running } = container(env.db, id);
  for (const a of aliases) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(a)) throw new BerthError('invalid_argument', `invalid network alias "${a}": use letters, digits, and _ . -`);
  }
  const nets = containerNetworks(env.db, ctx);
  if (nets.includes(net.id)) throw new BerthError('conflict', `endpoint with name ${ctx.name} already exists in network ${net.name}`);
  if (running) {
    await ensureBridgeAddress(net);
    await chainAdd(cniCacheDir(env.root), conflistOf(env.root, net), { containerId: id, netns: netnsPath(env.execRoot, id), ifName: await freeIfName(env.root, id) });
  }
  await setEndpointAliases(env.db, id, net.name, aliases);
  await setContainerNetworks(env.db, id, [...nets, net.id]);
  if (running) await writeEtcFiles(env.db, env.root, ctx);
  return null;
}

export async function disconnectNetwork(env: ConnectEnv, netRef: string, id: string): Promise<null> {
  const net = requireNetwork(env.db, netRef);
  const { ctx, running } = container(env.db, id);
  const nets = containerNetworks(env.db, ctx);
  if (!nets.includes(net.id)) throw new BerthError('conflict', `container ${ctx.name} is not connected to network ${net.name}`);
  const dir = cniCacheDir(env.root);
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (f.startsWith(`${net.name}-${id}-`)) await chainDel(join(dir, f));
  }
  await setContainerNetworks(env.db, id, nets.filter((n) => n !== net.id));
  await setEndpointAliases(env.db, id, net.name, []);
  if (running) {
    await writeEtcFiles(env.db, env.root, ctx);
    await refreshNetwork(env.db, env.root, net.name);
  }
  return null;
}

