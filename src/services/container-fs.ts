// `cp` on the daemon side: stat a path in a container, stream a path out of it
// as a tar, extract an uploaded tar into a directory of it. Paths are resolved
// inside the container's root (src/fs/root-path.ts), never on the host.
import type { CallContext } from '../daemon/call-context.js';
import type { MetadataDb } from '../store/db.js';
import { extractArchive, packPath, statPath } from '../fs/copy-archive.js';
import type { CopyExtractParams as ExtractParams, CopyStatParams as StatParams, PathStat } from '../protocol/fs-methods.js';
import { containerFs, withContainerRoot, type FsPaths } from './container-root.js';
import { emitStream } from './image-save.js';


export async function statInContainer(db: MetadataDb, paths: FsPaths, p: StatParams): Promise<PathStat | null> {
  const fs = containerFs(db, paths, p.id);
  return withContainerRoot(fs, paths.root, async (root) => {
    try {
      return await statPath(root, p.path, { followLink: p.followLink, where: fs.where });
    } catch (err) {
      if ((err as { code?: string }).code === 'not_found') return null;
      throw err;
    }
  });
}

export async function archiveFromContainer(db: MetadataDb, paths: FsPaths, p: StatParams, call: CallContext): Promise<PathStat> {
  const fs = containerFs(db, paths, p.id);
  return withContainerRoot(fs, paths.root, async (root) => {
    const { stat, tar } = await packPath(root, p.path, { followLink: p.followLink, where: fs.where });
    await emitStream(tar as never, call);
    return stat;
  });
}

export async function extractIntoContainer(db: MetadataDb, paths: FsPaths, p: ExtractParams, call: CallContext): Promise<null> {
  const fs = containerFs(db, paths, p.id);
  await withContainerRoot(fs, paths.root, (root) =>
    extractArchive(root, p.dir, call.upload(), { rename: p.rename, owner: p.archive ? undefined : { uid: 0, gid: 0 }, noOverwriteDirNonDir: p.noOverwriteDirNonDir, where: fs.where }),
  );
  return null;
}
