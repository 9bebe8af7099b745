// Which networks a bridge-mode container is on. Fixed in its run spec at
// creation; `network connect`/`disconnect` record the changed list in LMDB
// (`meta`, key endpoints/<id>), which then wins, so a restart keeps it.
import type { MetadataDb } from '../store/db.js';
import type { ContainerContext } from '../machines/container.js';

const key = (id: string): string => `endpoints/${id}`;

export function containerNetworks(db: MetadataDb, ctx: Pick<ContainerContext, 'id' | 'spec'>): string[] {
  const override = db.meta.get(key(ctx.id)) as string[] | undefined;
  return override ?? ctx.spec.network?.networks ?? [];
}

export async function setContainerNetworks(db: MetadataDb, id: string, networks: string[]): Promise<void> {
  await db.meta.put(key(id), networks);
}

export async function forgetContainerNetworks(db: MetadataDb, id: string): Promise<void> {
  await db.meta.remove(key(id));
  await db.meta.remove(aliasKey(id));
}

// Aliases given when a container was connected to one network (Docker API
// EndpointConfig.Aliases): network name → names, in `meta` aliases/<id>.
const aliasKey = (id: string): string => `aliases/${id}`;

export function endpointAliases(db: MetadataDb, id: string, network: string): string[] {
  return (db.meta.get(aliasKey(id)) as Record<string, string[]> | undefined)?.[network] ?? [];
}

export async function setEndpointAliases(db: MetadataDb, id: string, network: string, aliases: string[]): Promise<void> {
  const all = { ...((db.meta.get(aliasKey(id)) as Record<string, string[]> | undefined) ?? {}) };
  if (aliases.length > 0) all[network] = aliases;
  else delete all[network];
  if (Object.keys(all).length > 0) await db.meta.put(aliasKey(id), all);
  else await db.meta.remove(aliasKey(id));
}
