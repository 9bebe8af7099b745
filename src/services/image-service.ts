// Images, as the daemon's local service: pulls run as pull actors (which use
// the shared layer actors); listing reads LMDB.
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors.js';
import { parseReference, formatReference, familiarName } from '../image/reference.js';
import type { ActorRouter } from '../workers/router.js';
import type { MetadataDb } from '../store/db.js';
import type { ImageListParams, ImageSummary, PullResult } from '../protocol/methods.js';
import type { CallContext } from '../daemon/call-context.js';
import type { PullInput } from '../machines/pull.js';
import { decodeAuthField, type Credential } from '../registry/bearer-auth.js';
import { parsePlatform } from '../image/platform.js';
import { ImageActivity, withActivity } from './image-activity.js';
import { applyImageFilter, parseImageFilters } from './image-filters.js';
import { containerCounts } from './image-usage.js';

export class ImageService {
  /** Held by every pull (and load, import, save); image GC waits for it. */
  readonly activity = new ImageActivity();

  constructor(private readonly db: MetadataDb, private readonly router: ActorRouter) {}

  /** Runs one pull actor to completion, forwarding its progress to the caller. */
  async runPull(input: PullInput, call: CallContext, credential?: Credential): Promise<PullResult> {
    return withActivity(this.activity, async () => {
      const actorId = `pull/${randomBytes(6).toString('hex')}`;
      const unsubscribe = this.router.subscribe(actorId, (ev) => call.emit(ev));
      try {
        return await this.router.ask<PullResult>(actorId, { type: 'RUN', ...(credential ? { credential } : {}) }, { kind: 'pull', input });
      } finally {
        unsubscribe();
      }
    });
  }

  /** `opts.auth` is base64 "user:password" for the reference's registry (sent by the CLI, never stored). */
  async pull(name: string, call: CallContext, opts: { platform?: string; auth?: string } = {}): Promise<PullResult> {
    if (typeof name !== 'string' || name === '') throw new BerthError('invalid_argument', 'no image given: berth pull NAME[:TAG|@DIGEST]');
    const ref = parseReference(name);
    if (!ref.tag && !ref.digest) ref.tag = 'latest';
    if (opts.platform !== undefined) parsePlatform(opts.platform);
    const input: PullInput = { ref: formatReference(ref), source: 'registry', tag: true, ...(opts.platform ? { platform: opts.platform } : {}) };
    const result = await this.runPull(input, call, opts.auth ? decodeAuthField(opts.auth) : undefined);
    return { ...result, ref: familiarName(ref) };
  }

  /** Newest first, like Docker. */
  list(params: ImageListParams = {}): ImageSummary[] {
    const filter = parseImageFilters(this.db, params.filters);
    const counts = containerCounts(this.db);
    const out: ImageSummary[] = [];
    for (const { value: record } of this.db.images.getRange()) {
      const value = applyImageFilter(filter, record);
      if (!value) continue;
      out.push({
        id: value.id,
        repoTags: value.repoTags.map((t) => familiarName(parseReference(t))),
        repoDigests: value.repoDigests.map((t) => familiarName(parseReference(t))),
        created: value.created,
        size: value.size,
        labels: value.config.Labels ?? {},
        containers: counts.get(value.id) ?? 0,
      });
    }
    return out.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.id.localeCompare(b.id));
  }
}
