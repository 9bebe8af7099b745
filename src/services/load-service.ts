// `load`: an OCI image layout archive streamed by the client is ingested into
// the content store (every blob verified), then each image in it goes
// through a pull actor with a local source, the same path as a registry pull.
import { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import { ContentStore } from '../store/content-store.js';
import { parseReference, formatReference, familiarName } from '../image/reference.js';
import type { CallContext } from '../daemon/call-context.js';
import type { LoadResult } from '../protocol/methods.js';
import type { ImageService } from './image-service.js';
import { withActivity } from './image-activity.js';

export class LoadService {
  private readonly content: ContentStore;

  constructor(root: string, private readonly images: ImageService) {
    this.content = new ContentStore(root);
  }

  async load(call: CallContext): Promise<LoadResult> {
    // Blobs ingested before their image is committed must not look like garbage.
    return withActivity(this.images.activity, () => this.loadHeld(call));
  }

  private async loadHeld(call: CallContext): Promise<LoadResult> {
    const { readOciArchive } = await import('../image/oci-layout.js');
    const archive = await readOciArchive(Readable.from(call.upload()), this.content);
    if (archive.manifests.length === 0) throw new BerthError('invalid_argument', 'the archive holds no images (its index.json lists no manifests)');
    const loaded: string[] = [];
    for (const m of archive.manifests) {
      if (m.name) {
        const ref = parseReference(m.name);
        if (!ref.tag && !ref.digest) ref.tag = 'latest';
        await this.images.runPull({ ref: formatReference(ref), source: 'local', manifestDigest: m.digest, tag: true }, call);
        loaded.push(familiarName(ref));
      } else {
        const r = await this.images.runPull({ ref: `localhost/untagged@${m.digest}`, source: 'local', manifestDigest: m.digest, tag: false }, call);
        loaded.push(r.id);
      }
    }
    return { loaded };
  }
}
