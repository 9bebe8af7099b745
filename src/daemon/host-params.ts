// Checks the shape of a create/run call's `host` parameter (resource and
// security settings) as it arrives untyped from the network, then its values,
// before any image is looked up or pulled.
import { BerthError } from '../errors.js';
import { checkHostOptions, type HostOptions, type Ulimit } from '../runtime/host-options.js';
import { optBool, optNumber, optString, optStringMap, optStrings, type Params } from './params.js';

const NUMBERS = ['memory', 'memorySwap', 'memoryReservation', 'nanoCpus', 'cpuShares', 'cpuPeriod', 'cpuQuota', 'pidsLimit', 'oomScoreAdj', 'shmSize'] as const;
const STRINGS = ['cpusetCpus', 'cpusetMems', 'pidMode', 'ipcMode', 'utsMode', 'cgroupnsMode'] as const;
const STRING_LISTS = ['capAdd', 'capDrop', 'securityOpt', 'groupAdd'] as const;
const STRING_MAPS = ['tmpfs', 'sysctls'] as const;
const BOOLEANS = ['privileged', 'readonlyRootfs', 'init'] as const;

function ulimits(v: unknown): Ulimit[] | undefined {
  if (v === undefined || v === null) return undefined;
  const ok = Array.isArray(v) && v.every((u) => typeof u === 'object' && u !== null
    && typeof (u as Ulimit).Name === 'string' && typeof (u as Ulimit).Soft === 'number' && typeof (u as Ulimit).Hard === 'number');
  if (!ok) throw new BerthError('invalid_argument', 'parameter "host.ulimits" must be a list of {Name, Soft, Hard}');
  return (v as Ulimit[]).map((u) => ({ Name: u.Name, Soft: u.Soft, Hard: u.Hard }));
}

function devices(v: unknown): HostOptions['devices'] {
  if (v === undefined || v === null) return undefined;
  const isMapping = (d: unknown) => typeof d === 'object' && d !== null
    && ['PathOnHost', 'PathInContainer', 'CgroupPermissions'].every((k) => typeof (d as Record<string, unknown>)[k] === 'string');
  if (!Array.isArray(v) || !v.every(isMapping)) throw new BerthError('invalid_argument', 'parameter "host.devices" must be a list of {PathOnHost, PathInContainer, CgroupPermissions}');
  return (v as NonNullable<HostOptions['devices']>).map((d) => ({ PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions }));
}

export function hostParams(p: Params): HostOptions | undefined {
  const v = p.host;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new BerthError('invalid_argument', 'parameter "host" must be a map of settings');
  const h = v as Params;
  const out: HostOptions = {};
  for (const key of NUMBERS) {
    const n = optNumber(h, key);
    if (n !== undefined) out[key] = n;
  }
  const set = <K extends keyof HostOptions>(key: K, value: HostOptions[K] | undefined) => { if (value !== undefined) out[key] = value; };
  for (const key of STRINGS) set(key, optString(h, key));
  for (const key of STRING_LISTS) set(key, optStrings(h, key));
  for (const key of STRING_MAPS) set(key, optStringMap(h, key));
  for (const key of BOOLEANS) set(key, optBool(h, key));
  set('ulimits', ulimits(h.ulimits));
  set('devices', devices(h.devices));
  return checkHostOptions(out);
}
