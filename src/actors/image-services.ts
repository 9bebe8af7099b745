// The image stores and registry client of one actor host, created on first use.
import { join } from 'node:path';
import { ContentStore } from '../store/content-store.js';
import { RegistryClient } from '../registry/client.js';
import { insecureMatcher } from '../registry/registry-config.js';
import { layerDirName } from '../store/chain-id.js';
import type { ActorEnv } from './actor-env.js';

export interface ImageServices {
  content: ContentStore;
  registry: RegistryClient;
  layerDir(chainId: string): string;
}

let services: ImageServices | undefined;

export function imageServices(env: ActorEnv): ImageServices {
  if (!services) {
    const root = env.config.root;
    services = {
      content: new ContentStore(root),
      registry: new RegistryClient({
        mirrors: env.config.registry?.mirrors,
        insecure: insecureMatcher(env.config.registry?.insecureRegistries ?? []),
        stallTimeoutMs: Number(process.env.BERTH_REGISTRY_STALL_MS) || undefined,
        retry: process.env.BERTH_REGISTRY_RETRY_BASE_MS ? { baseDelayMs: Number(process.env.BERTH_REGISTRY_RETRY_BASE_MS) } : undefined,
      }),
      layerDir: (chainId) => join(root, 'layers', layerDirName(chainId)),
    };
  }
  return services;
}
