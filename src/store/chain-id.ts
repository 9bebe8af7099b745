// Layer chain ids (OCI image-spec): the first layer's chain id is its diff id;
// each next one is sha256 of "<parent chain id> <diff id>".
import { createHash } from 'node:crypto';

export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diffId : `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}`);
  }
  return out;
}

/** Directory name for a layer: the hex of its chain id. */
export function layerDirName(chainId: string): string {
  return chainId.slice(chainId.indexOf(':') + 1);
}
