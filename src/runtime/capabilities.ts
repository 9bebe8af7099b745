// Linux capability names and the set a container gets from Docker's defaults
// adjusted by --cap-add/--cap-drop (or every one for --privileged).
import { readFileSync } from 'node:fs';

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** In the kernel's numbering (CAP_CHOWN = 0 ...). */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "all" → "ALL". */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Docker's rule: drops apply to the base set (the defaults, or every capability for --cap-add ALL), then adds, which win. */
export function capabilitySet(opts: { capAdd?: string[]; capDrop?: string[]; privileged?: boolean }, known: string[] = ALL_CAPABILITIES): string[] {
  if (opts.privileged) return known;
  const add = (opts.capAdd ?? []).map(normalizeCapability);
  const drop = (opts.capDrop ?? []).map(normalizeCapability);
  const base = add.includes('ALL') ? known : DEFAULT_CAPABILITIES;
  const caps = drop.includes('ALL') ? [] : base.filter((c) => !drop.includes(c));
  for (const c of add) if (c !== 'ALL' && !caps.includes(c)) caps.push(c);
  return caps.filter((c) => known.includes(c));
}

/** The capabilities this process may still hold (its bounding set): a container can have no others. */
export function hostBoundingSet(status = readFileSync('/proc/self/status', 'utf8')): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!m) return [...ALL_CAPABILITIES];
  const mask = BigInt(`0x${m[1]}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}
