// IPv4 subnets: parsing, overlap, gateway choice, and finding a free one
// that collides neither with Berth's networks nor with the host's routes. Pure
// except hostRoutes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';

export interface Cidr { base: number; bits: number }

export function ipToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((a, p) => a * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(s: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s);
  const ip = m ? ipToInt(m[1]) : null;
  const bits = m ? Number(m[2]) : NaN;
  if (ip === null || !(bits >= 8 && bits <= 30)) throw new BerthError('invalid_argument', `invalid subnet "${s}": use an IPv4 CIDR between /8 and /30, e.g. 10.20.0.0/24`);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), bits };
}

export const formatCidr = (c: Cidr): string => `${intToIp(c.base)}/${c.bits}`;

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.bits);
  const bEnd = b.base + 2 ** (32 - b.bits);
  return a.base < bEnd && b.base < aEnd;
}

export function checkGateway(c: Cidr, gateway: string | undefined): string {
  if (gateway === undefined) return intToIp(c.base + 1);
  const g = ipToInt(gateway);
  if (g === null || g <= c.base || g >= c.base + 2 ** (32 - c.bits) - 1) {
    throw new BerthError('invalid_argument', `invalid gateway "${gateway}": it must be a host address inside ${formatCidr(c)}`);
  }
  return gateway;
}

/** The subnets of the host's IPv4 routes (main table, default route left out). */
export async function hostRoutes(): Promise<Cidr[]> {
  const { stdout } = await promisify(execFile)('ip', ['-4', '-o', 'route', 'show']);
  // loopback, "this network" and multicast never go to a bridge
  const out: Cidr[] = [{ base: 127 * 2 ** 24, bits: 8 }, { base: 0, bits: 8 }, { base: 224 * 2 ** 24, bits: 4 }];
  for (const line of stdout.split('\n')) {
    const dst = line.trim().split(/\s+/)[0];
    if (!dst || !dst.includes('/')) continue;
    try {
      out.push(parseCidr(dst));
    } catch {
      /* /31, /32 and the like: not a network a bridge would take */
    }
  }
  return out;
}

/** The first /`bits` from the candidates that overlaps nothing in `taken`. */
export function freeSubnet(candidates: Iterable<Cidr>, taken: Cidr[]): Cidr {
  for (const cidr of candidates) {
    if (!taken.some((t) => overlaps(cidr, t))) return cidr;
  }
  throw new BerthError('conflict', 'no free subnet left in the address pools for a new network: give one with --subnet, or give berthd more with --default-address-pool');
}
