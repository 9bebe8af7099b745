// Image garbage collection on a real LMDB environment and content store: a
// collection deferred because a pull's or layer's actor record is still there
// runs again by itself once the record is gone, without waiting for the next
// pull, import or save.
import { describe, expect, it } from 'vitest';
import type { MetadataDb } from '../../src/store/db.js';
import { withTempMetadataDb } from '../fixtures/temp-metadata-db.js';
import { pollUntil } from '../fixtures/poll.js';
import { ContentStore } from '../../src/store/content-store.js';
import { ImageActivity, withActivity } from '../../src/services/image-activity.js';
import { GC_RETRY_MS, ImageGc } from '../../src/services/image-gc.js';

let dir: string;
let db: MetadataDb;
withTempMetadataDb('berth-gc-', (d, m) => {
  dir = d;
  db = m;
});


describe('image garbage collection', () => {
  it('deferred by a layer actor record, runs again by itself once the record is gone', async () => {
    const content = new ContentStore(dir);
    const activity = new ImageActivity();
    const gc = new ImageGc(db, dir, content, activity);
    const blob = await content.writeBytes(Buffer.from('no image refers to this'));
    await db.actors.put('layer/x', { actorId: 'layer/x', kind: 'layer', snapshot: null, seq: 1, input: null });

    const first = await gc.collect();
    expect(first.ran).toBe(false);
    expect(await pollUntil(async () => gc.interrupted, 1000)).toBe(true); // marked: a restart would finish it
    expect(await content.has(blob)).toBe(true);

    await new Promise((r) => setTimeout(r, GC_RETRY_MS * 2));
    expect(await content.has(blob)).toBe(true); // still deferred while the record is there

    await db.actors.remove('layer/x');
    expect(await pollUntil(async () => !(await content.has(blob)), GC_RETRY_MS * 6)).toBe(true);
    expect(await pollUntil(async () => !gc.interrupted, GC_RETRY_MS * 2)).toBe(true);
  });

  it('deferred by work that holds the activity, runs once that work is done', async () => {
    const content = new ContentStore(dir);
    const activity = new ImageActivity();
    const gc = new ImageGc(db, dir, content, activity);
    const blob = await content.writeBytes(Buffer.from('left by a failed load'));
    let finish!: () => void;
    const work = withActivity(activity, () => new Promise<void>((r) => (finish = r)));
    await new Promise((r) => setTimeout(r, 10));
    expect((await gc.collect()).ran).toBe(false);
    expect(await content.has(blob)).toBe(true);
    finish();
    await work;
    expect(await pollUntil(async () => !(await content.has(blob)), 2000)).toBe(true);
  });
});
