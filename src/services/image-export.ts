// `export CONTAINER`: the container's merged root file system as a tar. The
// container's upper directory (its changes) and its image layers are mounted
// read-only with overlay on a temporary directory, tarred, streamed to the
// caller and unmounted again (also on failure or when the client goes away).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { tarDirectory } from '../image/dir-tar.js';
import { containerPaths } from '../runtime/paths.js';
import type { MetadataDb } from '../store/db.js';
import type { CallContext } from '../daemon/call-context.js';
import { findContainerId } from './lookup.js';
import { containerUses } from './image-usage.js';
import { emitStream } from './image-save.js';

export async function exportContainer(db: MetadataDb, paths: { root: string; execRoot: string }, ref: string, call: CallContext): Promise<void> {
  const id = findContainerId(db, ref);
  const use = containerUses(db).find((c) => c.id === id);
  if (!use || use.lowerDirs.length === 0) throw new BerthError('not_found', `container ${ref} has no file system to export`);
  const p = containerPaths(paths.root, paths.execRoot, id);
  for (const dir of use.lowerDirs) {
    if (!existsSync(dir)) throw new BerthError('not_found', `layer ${dir} of container ${ref} is missing; the container cannot be exported`);
  }
  const lowers = existsSync(p.upper) ? [p.upper, ...use.lowerDirs] : use.lowerDirs;
  if (lowers.length === 1) {
    await emitStream(tarDirectory(lowers[0]) as never, call);
    return;
  }
  const { mount, umount2, MS_RDONLY, MNT_DETACH } = await import('../native/addon.js');
  await mkdir(join(paths.root, 'tmp'), { recursive: true, mode: 0o700 });
  const target = await mkdtemp(join(paths.root, 'tmp', 'export-'));
  try {
    try {
      mount('overlay', target, 'overlay', MS_RDONLY, `lowerdir=${lowers.join(':')}`);
    } catch (err) {
      throw new BerthError('runtime_error', `cannot mount the file system of container ${ref} for export: ${(err as Error).message}`, { cause: err });
    }
    try {
      await emitStream(tarDirectory(target) as never, call);
    } finally {
      umount2(target, MNT_DETACH);
    }
  } finally {
    await rmdir(target).catch(() => {});
  }
}
