// Readers of blobs (push, save) wait for the blobs a pull received into
// memory and still writes to the content store: on a real LMDB environment.
import { describe, expect, it } from 'vitest';
import type { MetadataDb } from '../../src/store/db.js';
import { withTempMetadataDb } from '../fixtures/temp-metadata-db.js';
import { waitForPendingBlobs } from '../../src/store/pending-blobs.js';
import type { LayerRecord } from '../../src/store/records.js';

let dir: string;
let db: MetadataDb;
withTempMetadataDb('berth-pending-', (d, m) => {
  dir = d;
  db = m;
});

const layer = (n: string, blobPending: boolean): LayerRecord => ({ chainId: `sha256:c${n}`, diffId: `sha256:d${n}`, blobDigest: `sha256:b${n}`, path: `/l/${n}`, size: 1, committedAt: 't', blobPending });

describe('waitForPendingBlobs', () => {
  it('waits while a wanted blob is pending, not for others, and gives up after its timeout', async () => {
    await db.layers.put('sha256:c1', layer('1', true));
    await db.layers.put('sha256:c2', layer('2', true));
    let done = false;
    const wait = waitForPendingBlobs(db, ['sha256:b1', 'sha256:b3']).then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    await db.layers.put('sha256:c1', layer('1', false));
    await wait;
    expect(done).toBe(true);
    // b2 is pending but not wanted
    await waitForPendingBlobs(db, ['sha256:b1']);
    await waitForPendingBlobs(db, ['sha256:b2'], 100); // resolves although b2 stays pending: the caller then finds it missing
    expect(db.layers.get('sha256:c2')?.blobPending).toBe(true);
  });
});
