// The host's device nodes, as a privileged container gets them (Docker adds
// every character and block device under /dev), and one --device mapping.
import { lstatSync, readdirSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';

export interface LinuxDevice { path: string; type: 'c' | 'b'; major: number; minor: number; fileMode: number; uid: number; gid: number }

/** Directories of /dev that are mounts of their own in a container, or not devices. */
const SKIP_DIRS = new Set(['pts', 'shm', 'mqueue', 'fd', '.lxc', '.lxd-mounts', '.udev']);
/** Nodes the runtime sets up itself: the container's own ptmx and console. */
const SKIP_NODES = new Set(['/dev/ptmx', '/dev/console']);

function deviceOf(st: BigIntStats, path: string): LinuxDevice | null {
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : null;
  if (!type) return null;
  const rdev = st.rdev;
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { path, type, major, minor, fileMode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) };
}

/** Every device node under `dir`, depth first, symlinks not followed. */
export function hostDevices(dir = '/dev'): LinuxDevice[] {
  const out: LinuxDevice[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    let st: BigIntStats;
    try {
      st = lstatSync(path, { bigint: true });
    } catch {
      continue; // gone meanwhile
    }
    if (st.isDirectory()) {
      if (!(dir === '/dev' && SKIP_DIRS.has(name))) out.push(...hostDevices(path));
      continue;
    }
    if (SKIP_NODES.has(path)) continue;
    const d = deviceOf(st, path);
    if (d) out.push(d);
  }
  return out;
}

/** The device (or, for a directory, the devices under it) at a --device host path. */
export function devicesAt(hostPath: string): LinuxDevice[] {
  let st: BigIntStats;
  try {
    st = statSync(hostPath, { bigint: true });
  } catch (err) {
    throw new BerthError('invalid_argument', `error gathering device information while adding custom device "${hostPath}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (st.isDirectory()) return hostDevices(hostPath);
  const d = deviceOf(st, hostPath);
  if (!d) throw new BerthError('invalid_argument', `error gathering device information while adding custom device "${hostPath}": not a device node`);
  return [d];
}

/** `--device HOST[:CONTAINER][:PERMISSIONS]` as Docker's HostConfig.Devices holds it. */
export interface DeviceMapping { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }

export function checkDeviceMapping(m: DeviceMapping): void {
  const bad = (why: string) => new BerthError('invalid_argument', `invalid device mapping ${m.PathOnHost}:${m.PathInContainer}:${m.CgroupPermissions}: ${why}`);
  if (!m.PathOnHost.startsWith('/')) throw bad('the host path must be absolute');
  if (!m.PathInContainer.startsWith('/')) throw bad('the container path must be absolute');
  if (!/^[rwm]{1,3}$/.test(m.CgroupPermissions) || new Set(m.CgroupPermissions).size !== m.CgroupPermissions.length) throw bad('permissions are a combination of r, w and m');
  devicesAt(m.PathOnHost);
}

/**
 * --device: the host's nodes bind-mounted at the container paths, and the cgroup rules that allow them with
 * the permissions asked for. (Nodes in linux.devices would be allowed rwm by the runtime whatever the rule.)
 */
export function mappedDevices(mappings: DeviceMapping[]): { mounts: Record<string, unknown>[]; rules: Record<string, unknown>[] } {
  const mounts: Record<string, unknown>[] = [];
  const rules: Record<string, unknown>[] = [];
  for (const m of mappings) {
    for (const d of devicesAt(m.PathOnHost)) {
      const destination = m.PathInContainer + d.path.slice(m.PathOnHost.replace(/\/+$/, '').length);
      mounts.push({ destination, type: 'bind', source: d.path, options: ['bind', 'nosuid'] });
      rules.push({ allow: true, type: d.type, major: d.major, minor: d.minor, access: m.CgroupPermissions });
    }
  }
  return { mounts, rules };
}
