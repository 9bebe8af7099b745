// The daemon's registry settings (from daemon.json) as the registry client
// uses them: Docker Hub mirrors, which registries speak plain http, and how
// many layers one pull downloads at a time.
import { BlockList, isIP } from 'node:net';
import { isInsecureRegistry } from '../image/reference.js';

export interface RegistryConfig {
  /** Base URLs tried, in order, before registry-1.docker.io for docker.io images. */
  mirrors: string[];
  /** host[:port] or CIDR entries spoken to over plain http (loopback always is). */
  insecureRegistries: string[];
  /** Layers one pull downloads concurrently. */
  maxConcurrentDownloads: number;
  /**
   * Layer blobs up to this many bytes are received into memory and written to the content store after their
   * layer is committed, outside the flush a pull waits for; larger ones are written as they arrive (and a
   * download a daemon crash cut short resumes from what was written). 0: every blob is written as it arrives.
   */
  inMemoryBlobMax: number;
}

/** The default of `in-memory-blob-max`: most layers are smaller; a bigger one is written as it arrives. */
export const DEFAULT_IN_MEMORY_BLOB_MAX = 64 * 1024 * 1024;

export const DEFAULT_REGISTRY_CONFIG: RegistryConfig = { mirrors: [], insecureRegistries: [], maxConcurrentDownloads: 3, inMemoryBlobMax: DEFAULT_IN_MEMORY_BLOB_MAX };

/** Splits "host:port", "[v6]:port", "v6" into the bare host. */
export function hostOnly(hostPort: string): string {
  const h = hostPort.toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    return close > 0 ? h.slice(1, close) : h;
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** Parses "a.b.c.d/n" or "v6/n"; undefined when `entry` is not a CIDR. */
export function parseCidr(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = entry.lastIndexOf('/');
  if (slash < 0) return undefined;
  const address = entry.slice(0, slash);
  const prefix = Number(entry.slice(slash + 1));
  const v = isIP(address);
  if (v === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (v === 4 ? 32 : 128)) return undefined;
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** A predicate saying whether `host[:port]` is insecure (plain http) under `entries`. */
export function insecureMatcher(entries: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const blocks = new BlockList();
  let anyBlock = false;
  for (const e of entries) {
    const cidr = parseCidr(e);
    if (cidr) {
      blocks.addSubnet(cidr.address, cidr.prefix, cidr.family);
      anyBlock = true;
    } else {
      exact.add(e.toLowerCase());
    }
  }
  return (host: string) => {
    if (isInsecureRegistry(host)) return true;
    const h = host.toLowerCase();
    if (exact.has(h) || exact.has(hostOnly(h))) return true;
    if (!anyBlock) return false;
    const bare = hostOnly(h);
    const v = isIP(bare);
    return v !== 0 && blocks.check(bare, v === 4 ? 'ipv4' : 'ipv6');
  };
}
