// A container's merged root file system, for `cp` and `commit`: the shim's
// overlay mount while the container runs, otherwise the container's overlay
// (image layers + its upper dir) mounted on a temporary directory for the
// duration of the call and unmounted afterwards, also on failure.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { containerPaths, type ContainerPaths } from '../runtime/paths.js';
import type { MetadataDb } from '../store/db.js';
import { isMountPoint } from '../util/mountinfo.js';
import { findContainerId } from './lookup.js';
import { containerUses, type ContainerUse } from './image-usage.js';

export interface FsPaths { root: string; execRoot: string }

export interface ContainerFs {
  use: ContainerUse;
  paths: ContainerPaths;
  /** "container <name or id>", for messages */
  where: string;
}

export function containerFs(db: MetadataDb, paths: FsPaths, ref: string): ContainerFs {
  const id = findContainerId(db, ref);
  const use = containerUses(db).find((c) => c.id === id);
  if (!use || use.lowerDirs.length === 0) throw new BerthError('not_found', `container ${ref} has no file system`);
  for (const dir of use.lowerDirs) {
    if (!existsSync(dir)) throw new BerthError('not_found', `layer ${dir} of container ${ref} is missing; its file system cannot be read`);
  }
  return { use, paths: containerPaths(paths.root, paths.execRoot, id), where: `container ${ref}` };
}

export async function withContainerRoot<T>(fs: ContainerFs, tmpRoot: string, fn: (root: string) => Promise<T>): Promise<T> {
  if (await isMountPoint(fs.paths.rootfs)) return fn(fs.paths.rootfs);
  const { mount, umount2, MNT_DETACH } = await import('../native/addon.js');
  await mkdir(fs.paths.upper, { recursive: true, mode: 0o755 });
  await mkdir(fs.paths.work, { recursive: true, mode: 0o700 });
  await mkdir(join(tmpRoot, 'tmp'), { recursive: true, mode: 0o700 });
  const target = await mkdtemp(join(tmpRoot, 'tmp', 'rootfs-'));
  try {
    try {
      mount('overlay', target, 'overlay', 0, `lowerdir=${fs.use.lowerDirs.join(':')},upperdir=${fs.paths.upper},workdir=${fs.paths.work}`);
    } catch (err) {
      throw new BerthError('runtime_error', `cannot mount the file system of ${fs.where}: ${(err as Error).message}`, { cause: err });
    }
    try {
      return await fn(target);
    } finally {
      umount2(target, MNT_DETACH);
    }
  } finally {
    await rmdir(target).catch(() => {});
  }
}
