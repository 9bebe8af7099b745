// Garbage collection of image data: layers no image and no container uses
// (the ROOT/layers/<chain id hex> directory and its LMDB record) and blobs no
// image references (manifests, configs, layer blobs).
//
// Crash safety: the LMDB records go first, in one transaction that also sets
// the "gc.pending" marker; files are removed after (a layer directory is
// renamed to .gc-* before it is deleted). Everything is derived from the
// metadata, so a GC cut short is finished by the next one, which the daemon
// runs at start-up before it serves requests.
//
// It never runs while a pull, load, import or save is in progress (they hold
// the ImageActivity, and persisted pull/layer actors count too): then it is
// deferred until the work is done.
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors.js';
import { ContentStore } from '../store/content-store.js';
import { layerDirName } from '../store/chain-id.js';
import type { MetadataDb } from '../store/db.js';
import type { LayerRecord } from '../store/records.js';
import { containerUses, pullInProgress } from './image-usage.js';
import type { ImageActivity } from './image-activity.js';

const PENDING_KEY = 'gc.pending';
/** How soon a collection deferred by a pull's or layer's actor record (and no work holding the activity) looks again. */
export const GC_RETRY_MS = 500;
const LAYER_DIR = /^[0-9a-f]{64}$/;

export interface GcResult {
  /** false when the GC was deferred because image work is in progress */
  ran: boolean;
  layersRemoved: string[];
  blobsRemoved: string[];
  /** unpacked bytes of the layers removed */
  spaceReclaimed: number;
}

interface Plan { busy: boolean; removed: LayerRecord[]; keepDirs: Set<string>; liveBlobs: Set<string> }

export class ImageGc {
  readonly layersDir: string;
  private pending = false;

  constructor(private readonly db: MetadataDb, root: string, private readonly content: ContentStore, private readonly activity: ImageActivity) {
    this.layersDir = join(root, 'layers');
  }

  /** Collects now if nothing is in progress, else once the work in progress is done. */
  async collect(): Promise<GcResult> {
    const result = await this.activity.exclusive(() => this.run());
    if (result?.ran) return result;
    this.defer();
    return { ran: false, layersRemoved: [], blobsRemoved: [], spaceReclaimed: 0 };
  }

  /** True when a GC was interrupted (a crash) or deferred. */
  get interrupted(): boolean {
    return this.db.meta.get(PENDING_KEY) === true;
  }

  private defer(): void {
    if (this.pending) return;
    this.pending = true;
    if (!this.interrupted) void this.db.meta.put(PENDING_KEY, true); // a restart runs it if the daemon stops first
    const retry = () => {
      this.pending = false;
      void this.collect().catch((err: unknown) => process.stderr.write(`berthd: image garbage collection failed: ${(err as Error).message}\n`));
    };
    // Work that holds the activity: once the last of it is done. Nothing holds it, yet a pull's or layer's actor
    // record is still there (an actor finishing its last entry, or restored after a restart): look again shortly,
    // not only at the next pull, import or save.
    if (this.activity.busy) this.activity.onIdle(retry);
    else setTimeout(retry, GC_RETRY_MS).unref();
  }

  private async run(): Promise<GcResult> {
    const plan = await this.db.root.transaction((): Plan => {
      if (pullInProgress(this.db)) return { busy: true, removed: [], keepDirs: new Set(), liveBlobs: new Set() };
      const liveChains = new Set<string>();
      const liveBlobs = new Set<string>();
      for (const { value: img } of this.db.images.getRange()) {
        liveBlobs.add(img.id);
        liveBlobs.add(img.manifestDigest);
        for (const l of img.layers) {
          liveChains.add(l.chainId);
          liveBlobs.add(l.blobDigest);
        }
      }
      const keepDirs = new Set(containerUses(this.db).flatMap((c) => c.lowerDirs));
      const removed: LayerRecord[] = [];
      for (const { key, value } of [...this.db.layers.getRange()]) {
        if (liveChains.has(key) || keepDirs.has(value.path)) {
          keepDirs.add(value.path);
          liveBlobs.add(value.blobDigest);
          continue;
        }
        this.db.layers.remove(key);
        removed.push(value);
      }
      this.db.meta.put(PENDING_KEY, true);
      return { busy: false, removed, keepDirs, liveBlobs };
    });
    if (plan.busy) return { ran: false, layersRemoved: [], blobsRemoved: [], spaceReclaimed: 0 };
    await this.removeLayerDirs(plan.keepDirs);
    const blobsRemoved: string[] = [];
    for (const digest of await this.content.list()) {
      if (plan.liveBlobs.has(digest)) continue;
      if (await this.content.delete(digest)) blobsRemoved.push(digest);
    }
    await this.db.meta.remove(PENDING_KEY);
    return {
      ran: true,
      layersRemoved: plan.removed.map((r) => r.chainId),
      blobsRemoved,
      spaceReclaimed: plan.removed.reduce((n, r) => n + r.size, 0),
    };
  }

  /** Removes every directory under ROOT/layers that no layer record names and no container mounts. */
  private async removeLayerDirs(keepDirs: Set<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.layersDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new BerthError('io_error', `cannot list ${this.layersDir}: ${(err as Error).message}`, { cause: err });
    }
    for (const name of names) {
      const path = join(this.layersDir, name);
      let doomed: string | undefined;
      if (name.startsWith('.gc-')) doomed = path;
      else if (LAYER_DIR.test(name) && !keepDirs.has(path) && this.db.layers.get(`sha256:${name}`) === undefined) {
        doomed = join(this.layersDir, `.gc-${name}-${randomBytes(4).toString('hex')}`);
        await rename(path, doomed);
      }
      if (doomed) await rm(doomed, { recursive: true, force: true });
    }
  }
}

/** Directory of a layer under ROOT (for tests and diagnostics). */
export function layerPath(root: string, chainId: string): string {
  return join(root, 'layers', layerDirName(chainId));
}
