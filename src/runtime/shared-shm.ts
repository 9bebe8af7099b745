// The host side of `--ipc shareable`: the container's /dev/shm is a tmpfs
// mounted on the host under EXEC_ROOT/ipc/<id>, bind-mounted into it and into
// every container that joins it with `--ipc container:NAME` (another mount
// namespace's tmpfs cannot be bind-mounted; one on the host can). Mounted once
// the journal holds the container, unmounted when it exits; a joiner keeps its
// own reference to the tmpfs until it exits too.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isMountPoint } from '../util/mountinfo.js';
import { MNT_DETACH, MS_NODEV, MS_NOEXEC, MS_NOSUID, mount, umount2 } from '../native/addon.js';

/** Docker's default /dev/shm size. */
const DEFAULT_SHM_BYTES = 64 * 1024 * 1024;

export function sharedShmDir(execRoot: string, id: string): string {
  return join(execRoot, 'ipc', id);
}

/** Mounts the container's shareable /dev/shm if it is not mounted yet (a restart reuses it). */
export async function mountSharedShm(dir: string, sizeBytes: number | undefined): Promise<void> {
  if (await isMountPoint(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const size = Math.ceil((sizeBytes ?? DEFAULT_SHM_BYTES) / 1024);
  mount('shm', dir, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, `mode=1777,size=${size}k`);
}

/** Unmounts and removes it; nothing to do when it was never mounted. */
export async function releaseSharedShm(dir: string): Promise<void> {
  if (await isMountPoint(dir)) {
    try {
      umount2(dir, MNT_DETACH);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'ENOENT') throw err;
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
