// Which networks a bridge-mode container is on. Fixed in its run spec at
// creation; `network connect`/`disconnect` record the changed list in LMDB
// (`meta`, key endpoints/<id>), which then wins, so a restart keeps it.
// `network connect --ip/--alias` settings are kept per network under
// endpoint-config/<id>; `run --ip` lives in the spec, for the first network.
import type { MetadataDb } from '../store/db.js';
import type { ContainerContext } from '../machines/container.js';

const key = (id: string): string => `endpoints/${id}`;
const configKey = (id: string): string => `endpoint-config/${id}`;

export interface EndpointSettings {
  /** static IPv4 address (no prefix) */
  ip?: string;
  /** names on this network only */
  aliases?: string[];
}

export function containerNetworks(db: MetadataDb, ctx: Pick<ContainerContext, 'id' | 'spec'>): string[] {
  const override = db.meta.get(key(ctx.id)) as string[] | undefined;
  return override ?? ctx.spec.network?.networks ?? [];
}

export async function setContainerNetworks(db: MetadataDb, id: string, networks: string[]): Promise<void> {
  await db.meta.put(key(id), networks);
}

function allSettings(db: MetadataDb, id: string): Record<string, EndpointSettings> {
  return (db.meta.get(configKey(id)) as Record<string, EndpointSettings> | undefined) ?? {};
}

/** The container's settings on one network: from connect, else (first network) from run. */
export function endpointSettings(db: MetadataDb, ctx: Pick<ContainerContext, 'id' | 'spec'>, netId: string): EndpointSettings {
  const own = allSettings(db, ctx.id)[netId];
  if (own) return own;
  const net = ctx.spec.network;
  return net?.networks?.[0] === netId && net.ip ? { ip: net.ip } : {};
}

export async function setEndpointSettings(db: MetadataDb, id: string, netId: string, s: EndpointSettings | null): Promise<void> {
  const all = allSettings(db, id);
  if (s) all[netId] = s;
  else delete all[netId];
  await (Object.keys(all).length > 0 ? db.meta.put(configKey(id), all) : db.meta.remove(configKey(id)));
}

export async function forgetContainerNetworks(db: MetadataDb, id: string): Promise<void> {
  await db.meta.remove(key(id));
  await db.meta.remove(configKey(id));
}
