// `run --ip` and `network connect --ip`: a fixed address, allowed (as in
// Docker) only on user networks whose subnet the user gave, inside that
// subnet, and not taken by the gateway or a running container.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import type { NetworkRecord } from '../store/records.js';
import type { CachedAttachment } from './cni-chain.js';
import { cniCacheDir, DEFAULT_NETWORK } from './network-store.js';
import { ipToInt, parseCidr } from './subnet.js';

export function checkStaticIpShape(rec: NetworkRecord, ip: string): void {
  if (rec.name === DEFAULT_NETWORK) throw new BerthError('invalid_argument', 'user specified IP address is supported on user defined networks only; create one with berth network create --subnet CIDR NAME');
  if (!rec.userSubnet) {
    throw new BerthError('invalid_argument', `user specified IP address is supported only when connecting to networks with user configured subnets: network ${rec.name} got ${rec.subnet} automatically; create a network with --subnet`);
  }
  const n = ipToInt(ip);
  if (n === null) throw new BerthError('invalid_argument', `invalid IP address "${ip}": give an IPv4 address such as ${rec.gateway.replace(/\d+$/, '10')}`);
  const c = parseCidr(rec.subnet);
  if (n <= c.base || n >= c.base + 2 ** (32 - c.bits) - 1) {
    throw new BerthError('invalid_argument', `no configured subnet contains the IP address ${ip}: network ${rec.name} has ${rec.subnet} (network and broadcast addresses excluded)`);
  }
  if (ip === rec.gateway) throw new BerthError('conflict', `Address already in use: ${ip} is the gateway of network ${rec.name}; choose another --ip`);
}

/** The shape, then the live attachments of the network (the CNI result cache). */
export async function checkStaticIp(root: string, rec: NetworkRecord, ip: string, selfId: string): Promise<void> {
  checkStaticIpShape(rec, ip);
  const dir = cniCacheDir(root);
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (!f.startsWith(`${rec.name}-`) || f.includes(`-${selfId}-`)) continue;
    try {
      const c = JSON.parse(await readFile(join(dir, f), 'utf8')) as CachedAttachment;
      const ips = ((c.result.ips ?? []) as { address: string }[]).map((a) => a.address.split('/')[0]);
      if (ips.includes(ip)) throw new BerthError('conflict', `Address already in use: ${ip} is taken by container ${c.rt.containerId.slice(0, 12)} on network ${rec.name}; choose another --ip`);
    } catch (err) {
      if (err instanceof BerthError) throw err; // a file being written is skipped
    }
  }
}

/** runtimeConfig for the bridge plugin's host-local IPAM (capability "ips"). */
export function ipsRuntimeConfig(rec: NetworkRecord, ip: string | undefined): Record<string, unknown> {
  return ip ? { ips: [`${ip}/${rec.subnet.split('/')[1]}`] } : {};
}

/** host-local's refusal of a taken address, as Docker says it. */
export function staticIpError(err: unknown, rec: NetworkRecord, ip: string | undefined): unknown {
  if (ip && err instanceof Error && /not available|already (allocated|reserved)/i.test(err.message)) {
    return new BerthError('conflict', `Address already in use: ${ip} on network ${rec.name} is taken by another container; choose another --ip`);
  }
  return err;
}
