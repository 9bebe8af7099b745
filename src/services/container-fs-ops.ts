// The file system calls on containers (issue 5): cp's stat/archive/extract,
// diff and commit. Holds what they need from the daemon.
import type { CallContext } from '../daemon/call-context.js';
import type { DiskUsage, ChangeRow, CommitParams, CopyExtractParams as ExtractParams, CopyStatParams as StatParams, PathStat } from '../protocol/fs-methods.js';
import type { MetadataDb } from '../store/db.js';
import type { ContainerService } from './container-service.js';
import type { ImageOps } from './image-ops.js';
import type { ImageService } from './image-service.js';
import { findContainerId } from './lookup.js';
import { withActivity } from './image-activity.js';
import { archiveFromContainer, extractIntoContainer, statInContainer } from './container-fs.js';
import { containerChanges } from './container-diff.js';
import { commitContainer } from './container-commit.js';
import type { FsPaths } from './container-root.js';
import { diskUsage } from './disk-usage.js';

export class ContainerFsOps {
  constructor(
    private readonly db: MetadataDb,
    private readonly paths: FsPaths,
    private readonly images: ImageService,
    private readonly imageOps: ImageOps,
    private readonly containers: ContainerService,
  ) {}

  stat(p: StatParams): Promise<PathStat | null> {
    return statInContainer(this.db, this.paths, p);
  }

  archive(p: StatParams, call: CallContext): Promise<PathStat> {
    return archiveFromContainer(this.db, this.paths, p, call);
  }

  extract(p: ExtractParams, call: CallContext): Promise<null> {
    return extractIntoContainer(this.db, this.paths, p, call);
  }

  diff(ref: string): Promise<ChangeRow[]> {
    return containerChanges(this.db, this.paths, ref);
  }

  df(): Promise<DiskUsage> {
    return diskUsage(this.db, this.paths, this.containers.list({ all: true }));
  }

  /** With `pause` (Docker's default) a running container is paused while its changes are read. */
  async commit(p: CommitParams, call: CallContext): Promise<{ id: string }> {
    const id = findContainerId(this.db, p.id);
    const row = this.containers.list({ all: true }).find((c) => c.id === id);
    const pause = p.pause !== false && row?.state === 'running';
    if (pause) await this.containers.pause(p.id, true);
    try {
      return await withActivity(this.images.activity, () => commitContainer(this.db, this.imageOps.content, this.images, this.paths, p, call));
    } finally {
      if (pause) await this.containers.pause(p.id, false).catch(() => {});
      await this.imageOps.gc.collect(); // drops the blobs of a failed commit
    }
  }
}
