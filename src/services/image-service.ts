// Images, as the daemon's local service: pulls run as pull actors (which use
// the shared layer actors); listing reads LMDB.
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors.js';
import { parseReference, formatReference, familiarName } from '../image/reference.js';
import type { ActorRouter } from '../workers/router.js';
import type { MetadataDb } from '../store/db.js';
import type { ImageSummary, PullResult } from '../protocol/methods.js';
import type { CallContext } from '../daemon/call-context.js';
import type { PullInput } from '../machines/pull.js';

export class ImageService {
  constructor(private readonly db: MetadataDb, private readonly router: ActorRouter) {}

  /** Runs one pull actor to completion, forwarding its progress to the caller. */
  async runPull(input: PullInput, call: CallContext): Promise<PullResult> {
    const actorId = `pull/${randomBytes(6).toString('hex')}`;
    const unsubscribe = this.router.subscribe(actorId, (ev) => call.emit(ev));
    try {
      return await this.router.ask<PullResult>(actorId, { type: 'RUN' }, { kind: 'pull', input });
    } finally {
      unsubscribe();
    }
  }

  async pull(name: string, call: CallContext): Promise<PullResult> {
    if (typeof name !== 'string' || name === '') throw new BerthError('invalid_argument', 'no image given: berth pull NAME[:TAG|@DIGEST]');
    const ref = parseReference(name);
    if (!ref.tag && !ref.digest) ref.tag = 'latest';
    const result = await this.runPull({ ref: formatReference(ref), source: 'registry', tag: true }, call);
    return { ...result, ref: familiarName(ref) };
  }

  list(): ImageSummary[] {
    const out: ImageSummary[] = [];
    for (const { value } of this.db.images.getRange()) {
      out.push({
        id: value.id,
        repoTags: value.repoTags.map((t) => familiarName(parseReference(t))),
        repoDigests: value.repoDigests,
        created: value.created,
        size: value.size,
      });
    }
    return out;
  }
}
