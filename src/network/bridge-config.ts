// The daemon's default-bridge settings, as dockerd takes them: `--bridge none`
// (containers default to --network none), `--bip CIDR` (the default bridge's
// gateway address and subnet) and `--default-address-pool base=CIDR,size=N`
// (where subnets of new networks come from; Docker's pools when none given).
// Parsed once at start and kept for the daemon's main thread.
import { BerthError } from '../errors.js';
import { formatCidr, intToIp, parseCidr, type Cidr } from './subnet.js';

export interface AddressPool { base: Cidr; size: number }

export interface BridgeConfig {
  /** false with --bridge none: no default network, containers default to none */
  enabled: boolean;
  /** --bip: the default bridge's subnet and gateway */
  bip?: { subnet: string; gateway: string };
  /** empty: Docker's default pools */
  pools: AddressPool[];
}

/** dockerd's default address pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s. */
export const DOCKER_DEFAULT_POOLS: AddressPool[] = [
  { base: parseCidr('172.17.0.0/16'), size: 16 },
  { base: parseCidr('172.18.0.0/16'), size: 16 },
  { base: parseCidr('172.19.0.0/16'), size: 16 },
  { base: parseCidr('172.20.0.0/14'), size: 16 },
  { base: parseCidr('172.24.0.0/14'), size: 16 },
  { base: parseCidr('172.28.0.0/14'), size: 16 },
  { base: parseCidr('192.168.0.0/16'), size: 20 },
];

let current: BridgeConfig = { enabled: true, pools: [] };

export function configureBridge(c: BridgeConfig): void {
  current = c;
}

export function bridgeConfig(): BridgeConfig {
  return current;
}

/** Every subnet the pools offer, in order (first pool first, low addresses first). */
export function* poolSubnets(pools: AddressPool[]): Generator<Cidr> {
  for (const p of pools.length > 0 ? pools : DOCKER_DEFAULT_POOLS) {
    const step = 2 ** (32 - p.size);
    const end = p.base.base + 2 ** (32 - p.base.bits);
    for (let b = p.base.base; b < end; b += step) yield { base: b, bits: p.size };
  }
}

/** --bip 192.168.5.1/24: gateway 192.168.5.1 on subnet 192.168.5.0/24. */
export function parseBip(v: string): { subnet: string; gateway: string } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(v);
  let cidr: Cidr;
  try {
    cidr = parseCidr(v);
  } catch {
    throw new BerthError('invalid_argument', `flag --bip takes the bridge's address with its prefix length, e.g. 172.17.0.1/16, not "${v}"`);
  }
  const gateway = m![1];
  const size = 2 ** (32 - cidr.bits);
  const offset = Number(gateway.split('.').reduce((a, p) => a * 256 + Number(p), 0)) - cidr.base;
  if (offset === 0 || offset === size - 1) {
    throw new BerthError('invalid_argument', `flag --bip ${v}: ${gateway} is the ${offset === 0 ? 'network' : 'broadcast'} address of ${formatCidr(cidr)}; give a host address such as ${intToIp(cidr.base + 1)}/${cidr.bits}`);
  }
  return { subnet: formatCidr(cidr), gateway };
}

/** --default-address-pool base=10.10.0.0/16,size=24 */
export function parseAddressPool(v: string): AddressPool {
  const fields = new Map<string, string>();
  for (const part of v.split(',')) {
    const i = part.indexOf('=');
    const key = i > 0 ? part.slice(0, i).trim() : '';
    if (key !== 'base' && key !== 'size') {
      throw new BerthError('invalid_argument', `flag --default-address-pool takes base=CIDR,size=N (e.g. base=10.10.0.0/16,size=24); "${part}" is not one of those`);
    }
    fields.set(key, part.slice(i + 1).trim());
  }
  const baseText = fields.get('base');
  const sizeText = fields.get('size');
  if (!baseText || !sizeText) throw new BerthError('invalid_argument', `flag --default-address-pool "${v}" needs both base=CIDR and size=N, e.g. base=10.10.0.0/16,size=24`);
  let base: Cidr;
  try {
    base = parseCidr(baseText);
  } catch (err) {
    throw new BerthError('invalid_argument', `flag --default-address-pool: ${(err as Error).message}`);
  }
  const size = Number(sizeText);
  if (!Number.isInteger(size) || size < base.bits || size > 30) {
    throw new BerthError('invalid_argument', `flag --default-address-pool: size ${sizeText} must be a prefix length from ${base.bits} (the base's) to 30`);
  }
  return { base, size };
}

/** Checks the combination once all flags are read. */
export function checkBridgeConfig(c: BridgeConfig): BridgeConfig {
  if (!c.enabled && c.bip) throw new BerthError('invalid_argument', 'flags --bridge none and --bip cannot be combined: with --bridge none there is no default bridge to address');
  return c;
}
