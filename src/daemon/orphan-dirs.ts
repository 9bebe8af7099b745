// Container directories the journal does not know. A new container's bundle
// is written while its creation commit is flushed (src/actors/container-effects.ts),
// so a crash in between leaves ROOT/containers/<id> without a record. Nothing
// ran from it (the shim waits for the commit); it goes at start, after recovery.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isMountPoint } from '../util/mountinfo.js';
import type { MetadataDb } from '../store/db.js';

export async function removeOrphanContainerDirs(db: MetadataDb, root: string, log: (line: string) => void): Promise<void> {
  const dir = join(root, 'containers');
  const ids = await readdir(dir).catch(() => [] as string[]);
  for (const id of ids) {
    if (db.actors.get(`container/${id}`) !== undefined) continue;
    // never delete through a mounted root filesystem
    if (await isMountPoint(join(dir, id, 'rootfs'))) continue;
    log(`berthd: removing ROOT/containers/${id.slice(0, 12)}: the journal has no such container (a creation cut short)`);
    await rm(join(dir, id), { recursive: true, force: true });
  }
}
