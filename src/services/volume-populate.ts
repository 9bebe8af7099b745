// Host-side mounting of volumes: a local-driver volume with -o type/device/o
// is mounted on its _data when a container first needs it, and a new (empty)
// volume is filled from the image's content at its mount point, as Docker does.
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';
import { isMountPoint } from '../util/mountinfo.js';
import { mount, umount2, MNT_DETACH, MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT } from '../native/addon.js';
import type { VolumeRecord } from '../store/records.js';

const run = promisify(execFile);

/** Mounts a volume created with driver options on its data directory, once. */
export async function ensureVolumeMounted(rec: VolumeRecord, data: string): Promise<void> {
  const { type, device, o } = rec.options;
  if (!device || (await isMountPoint(data))) return;
  const opts = (o ?? '').split(',').filter((x) => x !== '');
  const bind = opts.includes('bind');
  try {
    if (bind) mount(device, data, null, MS_BIND | (opts.includes('rbind') ? MS_REC : 0), null);
    else mount(device, data, type ?? null, 0, opts.join(',') || null);
  } catch (err) {
    throw new BerthError('invalid_argument', `error while mounting volume ${rec.name} (type=${type ?? ''}, device=${device}, o=${o ?? ''}): ${(err as Error).message}; check its -o options`);
  }
}

/** The image path inside `view`, or null when a component is a symlink (never followed onto the host) or it is not a directory. */
async function imageDir(view: string, target: string): Promise<string | null> {
  let path = view;
  for (const part of target.split('/').filter((p) => p !== '')) {
    path = join(path, part);
    const st = await lstat(path).catch(() => null);
    if (!st || st.isSymbolicLink()) return null;
  }
  const st = await lstat(path);
  return st.isDirectory() ? path : null;
}

/** Copies the image's content at `target` into an empty volume directory `data` (owner and modes kept). */
export async function populateVolume(tmpRoot: string, lowerDirs: string[], target: string, data: string): Promise<void> {
  if (lowerDirs.length === 0 || (await readdir(data)).length > 0) return;
  const view = await mkdtemp(join(tmpRoot, 'view-'));
  try {
    if (lowerDirs.length === 1) {
      mount(lowerDirs[0], view, null, MS_BIND, null);
      mount(null, view, null, MS_BIND | MS_RDONLY | MS_REMOUNT, null);
    } else {
      mount('overlay', view, 'overlay', MS_RDONLY, `lowerdir=${lowerDirs.join(':')}`);
    }
    try {
      const src = await imageDir(view, target);
      if (src) await run('cp', ['-a', '--', `${src}/.`, `${data}/`]);
    } finally {
      umount2(view, MNT_DETACH);
    }
  } finally {
    await rmdir(view).catch(() => {});
  }
}
