// The id of the one actor per layer (by chain id), shared by every pull that needs the layer.
import { layerDirName } from '../store/chain-id.js';

export function layerActorId(chainId: string): string {
  return `layer/${layerDirName(chainId).slice(0, 16)}`;
}
