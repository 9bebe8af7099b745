// Networks kept in LMDB (`networks`), their CNI configuration lists, and the
// default "bridge" network, created on first use.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { findModeNetwork } from './mode-networks.js';
import type { MetadataDb } from '../store/db.js';
import type { NetworkRecord } from '../store/records.js';
import type { ConfList } from './cni-chain.js';
import { checkGateway, formatCidr, freeSubnet, hostRoutes, parseCidr, overlaps } from './subnet.js';
import { bridgeConfig, poolSubnets } from './bridge-config.js';

export const DEFAULT_NETWORK = 'bridge';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function networkDir(root: string): string {
  return join(root, 'networks');
}

export const cniCacheDir = (root: string): string => join(networkDir(root), 'cache');
export const ipamDir = (root: string): string => join(networkDir(root), 'ipam');

/**
 * portmap only when the attachment publishes ports: its ADD and, more so, its
 * DEL (which looks for iptables chains to drop) cost processes even with no mapping.
 */
export function conflistOf(root: string, rec: NetworkRecord, withPorts: boolean): ConfList {
  return {
    name: rec.name,
    plugins: [
      {
        type: 'bridge',
        bridge: rec.bridge,
        // isGateway would switch on the host's ip_forward: Berth gives the
        // bridge its gateway address itself (bridge-address.ts) and routes
        // nothing, so networks stay apart and nothing leaves the host.
        isGateway: false,
        ipMasq: false,
        hairpinMode: true,
        // `--ip`: host-local takes the address from runtimeConfig.ips
        capabilities: { ips: true },
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: rec.subnet, gateway: rec.gateway }]],
          routes: rec.internal ? [] : [{ dst: '0.0.0.0/0', gw: rec.gateway }],
          dataDir: ipamDir(root),
        },
      },
      ...(withPorts ? [{ type: 'portmap', capabilities: { portMappings: true }, snat: true }] : []),
    ],
  };
}

/** By exact name, full id, or unique id prefix. */
export function findNetwork(db: MetadataDb, ref: string): NetworkRecord | undefined {
  const all = [...db.networks.getRange()].map((e) => e.value);
  const byName = all.find((n) => n.name === ref);
  if (byName) return byName;
  const byId = all.filter((n) => n.id.startsWith(ref));
  if (byId.length > 1) throw new BerthError('invalid_argument', `network id prefix "${ref}" is ambiguous: give more characters or the name`);
  return byId[0];
}

export function requireNetwork(db: MetadataDb, ref: string): NetworkRecord {
  const n = findNetwork(db, ref);
  if (!n) {
    const mode = findModeNetwork(ref);
    if (mode) throw new BerthError('invalid_argument', `network ${mode.name} is a network mode (run --network ${mode.name}): containers cannot be connected to it or disconnected from it`);
    throw new BerthError('not_found', `network ${ref} not found; list networks with berth network ls or create it with berth network create`);
  }
  return n;
}

export interface NetworkCreate {
  name: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  driver?: string;
  labels?: Record<string, string>;
  /** the default bridge network, made by the daemon (not by network create) */
  predefined?: boolean;
}

// Creations run one at a time (all on the daemon's main thread): the name
// and subnet checks and the write must not interleave.
let creating: Promise<unknown> = Promise.resolve();

export function createNetwork(db: MetadataDb, p: NetworkCreate): Promise<NetworkRecord> {
  const next = creating.then(() => createOne(db, p));
  creating = next.catch(() => {});
  return next;
}

async function createOne(db: MetadataDb, p: NetworkCreate): Promise<NetworkRecord> {
  if (!NAME.test(p.name)) throw new BerthError('invalid_argument', `invalid network name "${p.name}": use letters, digits, and _ . - (not first)`);
  if (p.name === 'host' || p.name === 'none') throw new BerthError('conflict', `network with name ${p.name} already exists`);
  if (p.name === 'default') throw new BerthError('invalid_argument', 'network name "default" is reserved: --network default means the default bridge network');
  if (p.name === DEFAULT_NETWORK && !p.predefined) throw new BerthError('conflict', `network name "${p.name}" is reserved for the predefined default bridge network; choose another name`);
  if (p.driver !== undefined && p.driver !== 'bridge') throw new BerthError('not_found', `network driver "${p.driver}" is not supported: berth has the bridge driver only`);
  if (findNetwork(db, p.name)?.name === p.name) throw new BerthError('conflict', `network with name ${p.name} already exists`);
  const own = [...db.networks.getRange()].map((e) => ({ name: e.value.name, cidr: parseCidr(e.value.subnet) }));
  const routes = await hostRoutes();
  let cidr;
  const bip = p.predefined ? bridgeConfig().bip : undefined;
  if (bip) {
    cidr = parseCidr(bip.subnet);
    const clash = own.find((o) => overlaps(o.cidr, cidr!));
    if (clash) throw new BerthError('conflict', `--bip ${bip.gateway}/${cidr.bits} overlaps with network ${clash.name} (${formatCidr(clash.cidr)}); choose another --bip or remove that network`);
  } else if (p.subnet !== undefined) {
    cidr = parseCidr(p.subnet);
    const clash = own.find((o) => overlaps(o.cidr, cidr!));
    if (clash) throw new BerthError('conflict', `invalid pool request: subnet ${p.subnet} overlaps with network ${clash.name} (${formatCidr(clash.cidr)}); choose another --subnet`);
    const route = routes.find((r) => overlaps(r, cidr!));
    if (route) throw new BerthError('conflict', `invalid pool request: subnet ${p.subnet} overlaps with the host route ${formatCidr(route)}; choose another --subnet`);
  } else {
    if (p.gateway !== undefined) throw new BerthError('invalid_argument', '--gateway needs --subnet');
    cidr = freeSubnet(poolSubnets(bridgeConfig().pools), [...own.map((o) => o.cidr), ...routes]);
  }
  const id = randomBytes(32).toString('hex');
  const rec: NetworkRecord = {
    id,
    name: p.name,
    driver: 'bridge',
    bridge: `berth-${id.slice(0, 8)}`,
    subnet: formatCidr(cidr),
    gateway: checkGateway(cidr, bip?.gateway ?? p.gateway),
    userSubnet: p.subnet !== undefined,
    internal: p.internal === true,
    labels: p.labels ?? {},
    createdAt: new Date().toISOString(),
  };
  await db.networks.put(id, rec);
  return rec;
}

/** The default network, created the first time a container asks for it. */
export async function defaultNetwork(db: MetadataDb): Promise<NetworkRecord> {
  if (!bridgeConfig().enabled) {
    throw new BerthError('not_found', 'network bridge not found: the daemon runs with --bridge none; use --network NAME with a network from berth network create');
  }
  const found = findNetwork(db, DEFAULT_NETWORK);
  if (found) return found;
  try {
    return await createNetwork(db, { name: DEFAULT_NETWORK, predefined: true });
  } catch (err) {
    // a concurrent first use created it meanwhile
    const now = findNetwork(db, DEFAULT_NETWORK);
    if (now) return now;
    throw err;
  }
}
