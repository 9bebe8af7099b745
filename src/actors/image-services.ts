// The image stores and registry client of one actor host, created on first use.
import { join } from 'node:path';
import { ContentStore } from '../store/content-store.js';
import { RegistryClient } from '../registry/client.js';
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
      registry: new RegistryClient(),
      layerDir: (chainId) => join(root, 'layers', layerDirName(chainId)),
    };
  }
  return services;
}
