// The answer to run/create flags Berth accepts only in their default form:
// the default goes ahead (as Docker's would), anything else is refused with
// what to do instead (exit 125), never silently ignored.
import { BerthError } from '../../../src/errors.js';

export interface CompatFlags {
  disableContentTrust?: boolean;
  isolation?: string;
  userns?: string;
  runtime?: string;
  gpus?: string;
  storageOpt?: string[];
  link?: string[];
  linkLocalIp?: string[];
  ip6?: string;
  macAddress?: string;
  kernelMemory?: string;
  volumeDriver?: string;
  cpuRtPeriod?: string;
  cpuRtRuntime?: string;
}

/** Flags with no Berth support at all, and what to say about them. */
const UNSUPPORTED: Array<[keyof CompatFlags, string, string]> = [
  ['gpus', '--gpus', 'Berth does not hand GPUs to containers; pass the device nodes with --device'],
  ['storageOpt', '--storage-opt', 'the overlay storage has no per-container options'],
  ['link', '--link', 'legacy links are not implemented; put both containers on a user network (berth network create) and use the name'],
  ['linkLocalIp', '--link-local-ip', 'Berth assigns no link-local addresses'],
  ['ip6', '--ip6', 'Berth networks are IPv4 only'],
  ['macAddress', '--mac-address', 'Berth generates each interface\'s MAC address'],
  ['kernelMemory', '--kernel-memory', 'kernel memory limits are deprecated by the kernel; use --memory'],
  ['cpuRtPeriod', '--cpu-rt-period', 'real-time scheduling limits are not available'],
  ['cpuRtRuntime', '--cpu-rt-runtime', 'real-time scheduling limits are not available'],
];

const refuse = (flag: string, why: string) => new BerthError('invalid_argument', `not supported by Berth: ${flag} (${why})`);

export function checkCompatFlags(f: CompatFlags): void {
  for (const [key, flag, why] of UNSUPPORTED) {
    const v = f[key];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) throw refuse(flag, why);
  }
  if (f.isolation !== undefined && f.isolation !== '' && f.isolation.toLowerCase() !== 'default') {
    throw new BerthError('invalid_argument', `invalid isolation: ${f.isolation} (only "default" is supported on Linux)`);
  }
  if (f.userns !== undefined && f.userns !== '' && f.userns !== 'host') {
    throw refuse(`--userns ${f.userns}`, 'Berth has no userns-remap: "host" is the only user namespace mode');
  }
  if (f.volumeDriver !== undefined && f.volumeDriver !== '' && f.volumeDriver !== 'local') {
    throw refuse(`--volume-driver ${f.volumeDriver}`, 'only the "local" volume driver exists');
  }
  if (f.runtime !== undefined && f.runtime !== '') {
    throw refuse(`--runtime ${f.runtime}`, 'every container runs on the daemon\'s runtime, chosen with berthd --runtime; leave --runtime out');
  }
}
