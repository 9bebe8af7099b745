// The local image operations besides pull and load, for the daemon's
// handlers: tag, rmi, prune, inspect, history, save, import, export.
import { BerthError } from '../errors.js';
import { ContentStore } from '../store/content-store.js';
import type { MetadataDb } from '../store/db.js';
import type { CallContext } from '../daemon/call-context.js';
import type { ImageDeleteItem, ImageHistoryRow, ImagePruneResult, ImportParams } from '../protocol/methods.js';
import type { ImageService } from './image-service.js';
import { ImageGc } from './image-gc.js';
import { tagImage } from './image-tag.js';
import { removeImage } from './image-remove.js';
import { pruneImages } from './image-prune.js';
import { imageHistory, inspectImage } from './image-inspect.js';
import { withActivity } from './image-activity.js';

export class ImageOps {
  readonly content: ContentStore;
  readonly gc: ImageGc;

  constructor(private readonly db: MetadataDb, private readonly root: string, private readonly images: ImageService, private readonly execRoot: string) {
    this.content = new ContentStore(root);
    this.gc = new ImageGc(db, root, this.content, images.activity);
  }

  tag(source: string, target: string): Promise<null> {
    return tagImage(this.db, source, target);
  }

  async remove(name: string, force: boolean): Promise<ImageDeleteItem[]> {
    const items = await removeImage(this.db, name, force);
    if (items.some((i) => i.deleted)) await this.gc.collect();
    return items;
  }

  prune(all: boolean): Promise<ImagePruneResult> {
    return pruneImages(this.db, this.gc, all);
  }

  inspect(name: string): Promise<Record<string, unknown>> {
    return inspectImage(this.db, this.content, name);
  }

  history(name: string): Promise<ImageHistoryRow[]> {
    return imageHistory(this.db, this.content, name);
  }

  async save(names: string[], call: CallContext): Promise<null> {
    if (!Array.isArray(names) || names.length === 0) throw new BerthError('invalid_argument', 'no image given: berth save [-o FILE] IMAGE [IMAGE...]');
    const { saveImages } = await import('./image-save.js');
    await withActivity(this.images.activity, () => saveImages(this.db, this.content, names, call));
    return null;
  }

  async import(params: ImportParams, call: CallContext): Promise<{ id: string }> {
    const { importImage } = await import('./image-import.js');
    try {
      return await withActivity(this.images.activity, () => importImage(this.db, this.content, this.images, params, call));
    } finally {
      await this.gc.collect(); // drops the blobs of a failed import
    }
  }

  async exportContainer(ref: string, call: CallContext): Promise<null> {
    const { exportContainer } = await import('./image-export.js');
    await withActivity(this.images.activity, () => exportContainer(this.db, { root: this.root, execRoot: this.execRoot }, ref, call));
    return null;
  }
}
