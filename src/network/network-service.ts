// Networks, as the daemon's local service: create, list, inspect, remove and
// prune bridge networks. A network's bridge device appears with its first
// container (the CNI bridge plugin makes it) and goes with the network.
import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';
import type { MetadataDb } from '../store/db.js';
import type { NetworkRecord } from '../store/records.js';
import { dockerState, type ContainerContext } from '../machines/container.js';
import type { CachedAttachment } from './cni-chain.js';
import { containerNetworks, type EndpointSettings } from './endpoints.js';
import { containerEndpoints, type EndpointInfo } from './container-endpoints.js';
import { connectNetwork, disconnectNetwork } from './network-connect.js';
import { cniCacheDir, createNetwork, findNetwork, ipamDir, requireNetwork, DEFAULT_NETWORK, type NetworkCreate } from './network-store.js';
import { findModeNetwork, modeNetworkDoc, MODE_NETWORKS, type ModeNetwork } from './mode-networks.js';

const run = promisify(execFile);

export type NetworkDoc = Record<string, unknown>;

export class NetworkService {
  constructor(private readonly db: MetadataDb, private readonly root: string, private readonly execRoot: string) {}

  connect(net: string, containerId: string, settings: EndpointSettings = {}): Promise<null> {
    return connectNetwork({ db: this.db, root: this.root, execRoot: this.execRoot }, net, containerId, settings);
  }

  disconnect(net: string, containerId: string): Promise<null> {
    return disconnectNetwork({ db: this.db, root: this.root, execRoot: this.execRoot }, net, containerId);
  }

  /** The container's networks with its aliases and address on each (empty unless it is in bridge mode). */
  endpointsOf(containerId: string): Promise<EndpointInfo[]> {
    const ctx = (this.db.actors.get(`container/${containerId}`)?.snapshot as { context?: ContainerContext } | undefined)?.context;
    if (!ctx) throw new BerthError('not_found', `No such container: ${containerId}`);
    return containerEndpoints(this.db, this.root, ctx);
  }

  /** Ids and names of the containers (any state) configured on the network. */
  private users(id: string): { id: string; name: string }[] {
    const out: { id: string; name: string }[] = [];
    for (const { value } of this.db.actors.getRange({ start: 'container/', end: 'container0' })) {
      const ctx = (value.snapshot as { context?: ContainerContext }).context;
      if (ctx && containerNetworks(this.db, ctx).includes(id)) out.push({ id: ctx.id, name: ctx.name });
    }
    return out;
  }

  /** The live attachments (from the CNI result cache): container id → address and MAC. */
  private async endpoints(rec: NetworkRecord): Promise<Record<string, Record<string, string>>> {
    const dir = cniCacheDir(this.root);
    const out: Record<string, Record<string, string>> = {};
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      if (!f.startsWith(`${rec.name}-`)) continue;
      try {
        const c = JSON.parse(await readFile(join(dir, f), 'utf8')) as CachedAttachment;
        const ips = (c.result.ips ?? []) as { address: string; interface?: number }[];
        const ifaces = (c.result.interfaces ?? []) as { name: string; mac?: string; sandbox?: string }[];
        const own = ifaces.find((i) => i.sandbox);
        const name = this.users(rec.id).find((u) => u.id === c.rt.containerId)?.name ?? '';
        out[c.rt.containerId] = { Name: name, EndpointID: '', MacAddress: own?.mac ?? '', IPv4Address: ips[0]?.address ?? '', IPv6Address: '' };
      } catch {
        /* being written */
      }
    }
    return out;
  }

  private async doc(rec: NetworkRecord): Promise<NetworkDoc> {
    return {
      Name: rec.name,
      Id: rec.id,
      Created: rec.createdAt,
      Scope: 'local',
      Driver: rec.driver,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: rec.subnet, Gateway: rec.gateway }] },
      Internal: rec.internal,
      Attachable: false,
      Ingress: false,
      Containers: await this.endpoints(rec),
      Options: { 'com.docker.network.bridge.name': rec.bridge },
      Labels: rec.labels,
    };
  }

  async create(p: NetworkCreate): Promise<{ id: string }> {
    return { id: (await createNetwork(this.db, p)).id };
  }

  /** The running containers in network mode host or none. */
  private inMode(n: ModeNetwork): { id: string; name: string }[] {
    const out: { id: string; name: string }[] = [];
    for (const { value } of this.db.actors.getRange({ start: 'container/', end: 'container0' })) {
      const snap = value.snapshot as { value?: unknown; context?: ContainerContext };
      const ctx = snap.context;
      if (ctx && (ctx.spec.network?.mode ?? 'none') === n.name && ['running', 'paused'].includes(dockerState(snap.value))) out.push({ id: ctx.id, name: ctx.name });
    }
    return out;
  }

  async list(): Promise<NetworkDoc[]> {
    const recs = [...this.db.networks.getRange()].map((e) => e.value);
    const docs = [...(await Promise.all(recs.map((r) => this.doc(r)))), ...MODE_NETWORKS.map((n) => modeNetworkDoc(n, this.inMode(n)))];
    return docs.sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
  }

  async inspect(ref: string): Promise<NetworkDoc> {
    const mode = findNetwork(this.db, ref) ? undefined : findModeNetwork(ref);
    return mode ? modeNetworkDoc(mode, this.inMode(mode)) : this.doc(requireNetwork(this.db, ref));
  }

  async remove(ref: string): Promise<null> {
    const mode = findNetwork(this.db, ref) ? undefined : findModeNetwork(ref);
    if (mode) throw new BerthError('invalid_argument', `${mode.name} is a pre-defined network and cannot be removed`);
    const rec = requireNetwork(this.db, ref);
    if (rec.name === DEFAULT_NETWORK) throw new BerthError('invalid_argument', `${rec.name} is a pre-defined network and cannot be removed`);
    const users = this.users(rec.id);
    if (users.length > 0) {
      throw new BerthError('conflict', `error while removing network: network ${rec.name} id ${rec.id} has active endpoints (${users.map((u) => u.name).join(', ')}); remove or disconnect those containers first`);
    }
    await this.db.networks.remove(rec.id);
    await run('ip', ['link', 'del', rec.bridge]).catch(() => {}); // not there until a container used it
    await rm(join(ipamDir(this.root), rec.name), { recursive: true, force: true });
    return null;
  }

  /** Removes the networks no container is configured on (the default one stays). */
  async prune(): Promise<{ deleted: string[] }> {
    const deleted: string[] = [];
    for (const { value } of [...this.db.networks.getRange()]) {
      if (value.name === DEFAULT_NETWORK || this.users(value.id).length > 0) continue;
      await this.remove(value.id).then(() => deleted.push(value.name), () => {});
    }
    return { deleted };
  }
}
