// Docker's HostConfig (and NetworkingConfig) of POST /containers/create as
// Berth's create parameters: resources and security settings, mounts, ports,
// network mode and /etc options. Strings are parsed by the same parsers the
// CLI uses (-v specs, -p specs); the daemon checks the values again. A field
// Berth has no equivalent for is refused when it asks for something, and
// ignored when it holds Docker's zero value (what clients send by default).
import type { CreateParams } from '../protocol/container-methods.js';
import type { HostOptions, Ulimit } from '../runtime/host-options.js';
import type { MountRequest } from '../runtime/user-mounts.js';
import { parseVolumeFlag } from '../runtime/mount-flags.js';
import { ApiError } from './http-util.js';

export interface DockerMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  VolumeOptions?: { NoCopy?: boolean; DriverConfig?: { Name?: string } | null } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

export interface DockerHostConfig {
  AutoRemove?: boolean;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  LogConfig?: { Type?: string; Config?: Record<string, string> };
  Binds?: string[] | null;
  Mounts?: DockerMount[] | null;
  Tmpfs?: Record<string, string> | null;
  PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
  PublishAllPorts?: boolean;
  NetworkMode?: string;
  ExtraHosts?: string[] | null;
  Dns?: string[] | null;
  DnsSearch?: string[] | null;
  DnsOptions?: string[] | null;
  Annotations?: Record<string, string> | null;
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  OomScoreAdj?: number;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  Init?: boolean | null;
  SecurityOpt?: string[] | null;
  Devices?: Array<{ PathOnHost: string; PathInContainer?: string; CgroupPermissions?: string }> | null;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  CgroupnsMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  GroupAdd?: string[] | null;
  [other: string]: unknown;
}

export interface DockerNetworkingConfig {
  EndpointsConfig?: Record<string, { Aliases?: string[] | null } | null> | null;
}

/** Fields Berth cannot honour: refused (501) unless they hold Docker's default. */
const UNSUPPORTED: Array<[field: string, isDefault: (v: unknown) => boolean, what: string]> = [
  ['DeviceRequests', empty, 'device requests (--gpus)'],
  ['DeviceCgroupRules', empty, 'device cgroup rules'],
  ['Links', empty, 'legacy links (--link): use a user-defined network'],
  ['VolumesFrom', empty, '--volumes-from'],
  ['VolumeDriver', blank, 'volume drivers other than local'],
  ['CgroupParent', blank, '--cgroup-parent'],
  ['UsernsMode', blank, '--userns'],
  ['Runtime', (v) => blank(v) || v === 'runc', 'runtimes other than the built-in one'],
  ['BlkioWeight', zero, 'block IO weights'],
  ['BlkioWeightDevice', empty, 'block IO weights'],
  ['BlkioDeviceReadBps', empty, 'block IO limits'],
  ['BlkioDeviceWriteBps', empty, 'block IO limits'],
  ['BlkioDeviceReadIOps', empty, 'block IO limits'],
  ['BlkioDeviceWriteIOps', empty, 'block IO limits'],
  ['CpuRealtimePeriod', zero, 'real-time CPU scheduling'],
  ['CpuRealtimeRuntime', zero, 'real-time CPU scheduling'],
  ['KernelMemory', zero, 'kernel memory limits'],
  ['KernelMemoryTCP', zero, 'kernel memory limits'],
  ['MemorySwappiness', (v) => v === null || v === undefined || v === -1, '--memory-swappiness'],
  ['OomKillDisable', (v) => !v, '--oom-kill-disable'],
  ['StorageOpt', empty, '--storage-opt'],
];

function empty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
}
function blank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}
function zero(v: unknown): boolean {
  return v === undefined || v === null || v === 0;
}

export function refuseUnsupported(hc: DockerHostConfig): void {
  for (const [field, isDefault, what] of UNSUPPORTED) {
    if (!isDefault(hc[field])) throw new ApiError(501, `HostConfig.${field}: ${what} is not supported by Berth; leave it out`);
  }
}

export function hostOptions(hc: DockerHostConfig): HostOptions | undefined {
  const h: HostOptions = {};
  const num = (key: 'memory' | 'memorySwap' | 'memoryReservation' | 'nanoCpus' | 'cpuShares' | 'cpuPeriod' | 'cpuQuota' | 'oomScoreAdj', v: number | undefined) => {
    if (typeof v === 'number' && v !== 0) h[key] = v;
  };
  num('memory', hc.Memory);
  num('memorySwap', hc.MemorySwap);
  num('memoryReservation', hc.MemoryReservation);
  num('nanoCpus', hc.NanoCpus);
  num('cpuShares', hc.CpuShares);
  num('cpuPeriod', hc.CpuPeriod);
  num('cpuQuota', hc.CpuQuota);
  num('oomScoreAdj', hc.OomScoreAdj);
  if (hc.CpusetCpus) h.cpusetCpus = hc.CpusetCpus;
  if (hc.CpusetMems) h.cpusetMems = hc.CpusetMems;
  if (typeof hc.PidsLimit === 'number' && hc.PidsLimit !== 0) h.pidsLimit = hc.PidsLimit;
  if (hc.Ulimits?.length) h.ulimits = hc.Ulimits.map((u) => ({ Name: u.Name, Soft: u.Soft, Hard: u.Hard }));
  if (hc.CapAdd?.length) h.capAdd = hc.CapAdd;
  if (hc.CapDrop?.length) h.capDrop = hc.CapDrop;
  if (hc.Privileged) h.privileged = true;
  if (hc.ReadonlyRootfs) h.readonlyRootfs = true;
  if (hc.Tmpfs && Object.keys(hc.Tmpfs).length > 0) h.tmpfs = hc.Tmpfs;
  if (hc.Init) h.init = true;
  // the daemon checks these as it checks the CLI's flags (src/runtime/security-opts.ts, host-devices.ts, namespace-options.ts)
  if (hc.SecurityOpt?.length) h.securityOpt = hc.SecurityOpt;
  if (hc.Devices?.length) h.devices = hc.Devices.map((d) => ({ PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer || d.PathOnHost, CgroupPermissions: d.CgroupPermissions || 'rwm' }));
  if (hc.PidMode) h.pidMode = hc.PidMode;
  if (hc.IpcMode && hc.IpcMode !== 'private') h.ipcMode = hc.IpcMode;
  if (hc.UTSMode) h.utsMode = hc.UTSMode;
  if (hc.CgroupnsMode) h.cgroupnsMode = hc.CgroupnsMode;
  if (typeof hc.ShmSize === 'number' && hc.ShmSize > 0) h.shmSize = hc.ShmSize;
  if (hc.Sysctls && Object.keys(hc.Sysctls).length > 0) h.sysctls = hc.Sysctls;
  if (hc.GroupAdd?.length) h.groupAdd = hc.GroupAdd;
  return Object.keys(h).length > 0 ? h : undefined;
}

/** RestartPolicy {Name, MaximumRetryCount} as Berth's restart string; undefined for "" (unset). */
export function restartPolicy(rp: DockerHostConfig['RestartPolicy']): string | undefined {
  const name = rp?.Name;
  if (!name) return undefined;
  return name === 'on-failure' && rp?.MaximumRetryCount ? `on-failure:${rp.MaximumRetryCount}` : name;
}

/** HostConfig.Mounts entries (the structured --mount) as Berth's mount requests. */
function mountRequest(m: DockerMount): MountRequest {
  const type = m.Type;
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw new ApiError(400, `mount type "${String(type)}" is not supported: use bind, volume or tmpfs`);
  if (!m.Target?.startsWith('/')) throw new ApiError(400, `invalid mount target "${m.Target ?? ''}": it must be an absolute path`);
  const driver = m.VolumeOptions?.DriverConfig?.Name;
  if (driver && driver !== 'local') throw new ApiError(501, `volume driver "${driver}" is not supported by Berth: use local`);
  const r: MountRequest = { type, target: m.Target, readonly: m.ReadOnly === true };
  if (type === 'tmpfs') {
    if (m.Source) throw new ApiError(400, 'a tmpfs mount takes no Source');
    if (m.TmpfsOptions?.SizeBytes) r.tmpfsSize = m.TmpfsOptions.SizeBytes;
    if (m.TmpfsOptions?.Mode) r.tmpfsMode = m.TmpfsOptions.Mode;
    return r;
  }
  if (type === 'bind' && !m.Source?.startsWith('/')) throw new ApiError(400, `invalid bind mount source "${m.Source ?? ''}": give an absolute host path`);
  if (m.Source) r.source = m.Source;
  return r;
}

/** A Binds entry for the -v parser: SELinux relabel options (z, Z) do nothing on a host without SELinux labels. */
function withoutRelabel(bind: string): string {
  const parts = bind.split(':');
  if (parts.length < 2) return bind;
  const opts = parts[parts.length - 1].split(',').filter((o) => o !== 'z' && o !== 'Z');
  if (opts.length === parts[parts.length - 1].split(',').length) return bind;
  return opts.length > 0 ? [...parts.slice(0, -1), opts.join(',')].join(':') : parts.slice(0, -1).join(':');
}

/** PortBindings {"80/tcp": [{HostIp, HostPort}]} as -p specs ("IP:HOSTPORT:80/tcp"), which the daemon parses. */
function publishSpecs(bindings: DockerHostConfig['PortBindings']): string[] {
  const specs: string[] = [];
  for (const [port, list] of Object.entries(bindings ?? {})) {
    const [num, proto = 'tcp'] = port.split('/');
    for (const b of list ?? []) specs.push(`${b.HostIp ?? ''}:${b.HostPort ?? ''}:${num}/${proto}`);
  }
  return specs;
}

/** The network mode: Docker's "default" is Berth's default, except that published ports need a bridge. */
/** "default" (what the docker CLI sends without --network) is the daemon's default network: bridge, or none under --bridge none. */
function networkMode(mode: string | undefined): string | undefined {
  return mode === undefined || mode === '' || mode === 'default' ? undefined : mode;
}

/** Adds what HostConfig and NetworkingConfig ask for to `p`. */
export function applyHostConfig(p: CreateParams, hc: DockerHostConfig, nc: DockerNetworkingConfig | null | undefined): void {
  refuseUnsupported(hc);
  const host = hostOptions(hc);
  if (host) p.host = host;
  const mounts = [...(hc.Binds ?? []).map((b) => parseVolumeFlag(withoutRelabel(b))), ...(hc.Mounts ?? []).map(mountRequest)];
  if (mounts.length > 0) p.mounts = mounts;
  const publish = publishSpecs(hc.PortBindings);
  if (publish.length > 0) p.publish = publish;
  if (hc.PublishAllPorts) p.publishAll = true;
  const network = networkMode(hc.NetworkMode);
  if (network !== undefined) p.network = network;
  if (hc.ExtraHosts?.length) p.addHosts = hc.ExtraHosts.map((e) => (e.includes('=') ? e.replace('=', ':') : e));
  if (hc.Dns?.length) p.dns = hc.Dns;
  if (hc.DnsSearch?.length) p.dnsSearch = hc.DnsSearch;
  if (hc.DnsOptions?.length) p.dnsOptions = hc.DnsOptions;
  if (hc.Annotations && Object.keys(hc.Annotations).length > 0) p.annotations = hc.Annotations;
  const aliases = Object.values(nc?.EndpointsConfig ?? {}).flatMap((e) => e?.Aliases ?? []);
  if (aliases.length > 0) p.networkAliases = aliases;
}
