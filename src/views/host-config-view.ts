// A container's resource and security settings as Docker's inspect shows them
// under HostConfig (Memory, NanoCpus, CapAdd, Privileged, ...). Pure.
import type { HostOptions } from '../runtime/host-options.js';

export function hostConfigView(h: HostOptions = {}): Record<string, unknown> {
  return {
    Memory: h.memory ?? 0,
    MemorySwap: h.memorySwap ?? (h.memory ? h.memory * 2 : 0),
    MemoryReservation: h.memoryReservation ?? 0,
    NanoCpus: h.nanoCpus ?? 0,
    CpuShares: h.cpuShares ?? 0,
    CpuPeriod: h.cpuPeriod ?? 0,
    CpuQuota: h.cpuQuota ?? 0,
    CpusetCpus: h.cpusetCpus ?? '',
    CpusetMems: h.cpusetMems ?? '',
    PidsLimit: h.pidsLimit ?? null,
    Ulimits: h.ulimits ?? null,
    OomScoreAdj: h.oomScoreAdj ?? 0,
    CapAdd: h.capAdd ?? null,
    CapDrop: h.capDrop ?? null,
    Privileged: h.privileged ?? false,
    ReadonlyRootfs: h.readonlyRootfs ?? false,
    Tmpfs: h.tmpfs ?? null,
    Init: h.init ?? null,
    SecurityOpt: h.securityOpt ?? null,
    Devices: h.devices ?? [],
    PidMode: h.pidMode ?? '',
    IpcMode: h.ipcMode ?? 'private',
    UTSMode: h.utsMode ?? '',
    CgroupnsMode: h.cgroupnsMode || 'private',
    ShmSize: h.shmSize ?? 64 * 1024 * 1024,
    Sysctls: h.sysctls ?? null,
    GroupAdd: h.groupAdd ?? null,
  };
}
