// One container's endpoints, network by network: what inspect's
// NetworkSettings.Networks shows (aliases, address, gateway, MAC). A
// container that is not running has its networks but no address yet.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerContext } from '../machines/container.js';
import type { MetadataDb } from '../store/db.js';
import type { CachedAttachment } from './cni-chain.js';
import { containerNetworks, endpointSettings } from './endpoints.js';
import { cniCacheDir, DEFAULT_NETWORK } from './network-store.js';

export interface EndpointInfo {
  network: string;
  networkId: string;
  aliases: string[];
  ipAddress: string;
  prefixLen: number;
  gateway: string;
  mac: string;
}

/** The networks a container is on, by name; for a container without its own bridge networks, its mode (none, host, container:ID). */
export function networkNames(db: MetadataDb, ctx: ContainerContext): string[] {
  const net = ctx.spec.network;
  if (!net || net.mode === 'none' || net.mode === 'host') return [net?.mode ?? 'none'];
  if (net.mode === 'container') return [`container:${net.container ?? ''}`];
  return containerNetworks(db, ctx).flatMap((id) => db.networks.get(id)?.name ?? []);
}

export async function containerEndpoints(db: MetadataDb, root: string, ctx: ContainerContext): Promise<EndpointInfo[]> {
  if (ctx.spec.network?.mode !== 'bridge') return [];
  const files = await readdir(cniCacheDir(root)).catch(() => [] as string[]);
  const out: EndpointInfo[] = [];
  for (const netId of containerNetworks(db, ctx)) {
    const rec = db.networks.get(netId);
    if (!rec) continue;
    const info: EndpointInfo = { network: rec.name, networkId: rec.id, aliases: [], ipAddress: '', prefixLen: 0, gateway: '', mac: '' };
    // user-defined networks resolve the short id and the aliases; the default one nothing (Docker's rule)
    if (rec.name !== DEFAULT_NETWORK) info.aliases = [...new Set([ctx.id.slice(0, 12), ...(ctx.spec.etc?.aliases ?? []), ...(endpointSettings(db, ctx, rec.id).aliases ?? [])])];
    const file = files.find((f) => f.startsWith(`${rec.name}-${ctx.id}-`));
    if (file) {
      try {
        const c = JSON.parse(await readFile(join(cniCacheDir(root), file), 'utf8')) as CachedAttachment;
        const ip = ((c.result.ips ?? []) as { address: string; gateway?: string }[])[0];
        const own = ((c.result.interfaces ?? []) as { mac?: string; sandbox?: string }[]).find((i) => i.sandbox);
        if (ip) [info.ipAddress, info.prefixLen, info.gateway] = [ip.address.split('/')[0], Number(ip.address.split('/')[1] ?? 0), ip.gateway ?? rec.gateway];
        info.mac = own?.mac ?? '';
      } catch {
        /* being written or removed */
      }
    }
    out.push(info);
  }
  return out;
}
