// Group commit of filesystem flushes (src/util/sync-fs.ts), on the real addon.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { syncFilesystem } from '../../src/util/sync-fs.js';

const dir = mkdtempSync('/tmp/berth-syncfs-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('syncFilesystem', () => {
  it('serves callers that queue during a flush with one shared later flush', async () => {
    const first = syncFilesystem(dir);
    const queued = [syncFilesystem(dir), syncFilesystem(dir), syncFilesystem(dir)];
    expect(queued[1]).toBe(queued[0]); // not yet started: one flush for all three
    expect(queued[2]).toBe(queued[0]);
    expect(queued[0]).not.toBe(first); // the running flush may predate their writes: they get the next
    await Promise.all([first, ...queued]);
    await expect(syncFilesystem(dir)).resolves.toBeUndefined();
  });

  it('fails with io_error naming the directory', async () => {
    const missing = join(dir, 'missing');
    const e = await syncFilesystem(missing).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(BerthError);
    expect((e as BerthError).code).toBe('io_error');
    expect((e as BerthError).message).toContain(missing);
  });
});
