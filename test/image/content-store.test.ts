import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/store/content-store.js';
import { rejection } from '../fixtures/stand-ins.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let root: string;

beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'berth-cs-')); });
afterEach(() => { rmSync(root, { recursive: true, force: true }); });

describe('ContentStore', () => {
  it('writes, reads, lists and deletes blobs at content/blobs/sha256/<hex>', async () => {
    const store = new ContentStore(root);
    const bytes = Buffer.from('hello berth');
    const digest = await store.writeBytes(bytes);
    expect(digest).toBe(sha(bytes));
    expect(store.path(digest)).toBe(join(root, 'content/blobs/sha256', digest.slice(7)));
    expect(await store.has(digest)).toBe(true);
    expect(await store.size(digest)).toBe(bytes.length);
    expect(await store.readBytes(digest)).toEqual(bytes);
    expect(await store.list()).toEqual([digest]);
    expect(await store.delete(digest)).toBe(true);
    expect(await store.delete(digest)).toBe(false);
    expect(await store.has(digest)).toBe(false);
    expect((await rejection(store.readBytes(digest))).code).toBe('not_found');
  });

  it('refuses bytes that do not match the expected digest', async () => {
    const store = new ContentStore(root);
    const e = await rejection(store.writeBytes(Buffer.from('a'), sha(Buffer.from('b'))));
    expect(e.code).toBe('digest_mismatch');
    expect(await store.list()).toEqual([]);
  });

  it('rejects malformed digests', async () => {
    const store = new ContentStore(root);
    expect(() => store.path('sha256:../../etc/passwd')).toThrow(/not a sha256 digest/);
    expect((await rejection(store.has('md5:abc'))).code).toBe('invalid_argument');
  });

  it('ingests a good stream', async () => {
    const store = new ContentStore(root);
    const bytes = Buffer.alloc(300_000, 7);
    const r = await store.ingestStream(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), { digest: sha(bytes), size: bytes.length });
    expect(r).toEqual({ digest: sha(bytes), size: bytes.length });
    expect(readFileSync(store.path(sha(bytes)))).toEqual(bytes);
    expect(readdirSync(store.ingestDir)).toEqual([]);
  });

  it.each([
    ['wrong digest', (b: Buffer) => ({ digest: sha(Buffer.from('other')), size: b.length }), /digest/],
    ['too short', (b: Buffer) => ({ digest: sha(b), size: b.length + 5 }), /declares/],
    ['too long', (b: Buffer) => ({ digest: sha(b), size: b.length - 5 }), /larger than/],
  ])('ingest of a bad stream (%s) leaves no blob and no ingest file', async (_n, descriptor, message) => {
    const store = new ContentStore(root);
    const bytes = Buffer.alloc(100_000, 1);
    const d = descriptor(bytes);
    const e = await rejection(store.ingestStream(Readable.from([bytes]), d));
    expect(e.code).toBe('digest_mismatch');
    expect(e.message).toMatch(message);
    expect(existsSync(store.path(d.digest))).toBe(false);
    expect(await store.list()).toEqual([]);
    expect(readdirSync(store.ingestDir)).toEqual([]);
  });

  it('a stream that errors midway leaves nothing behind', async () => {
    const store = new ContentStore(root);
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('network went away'));
      },
    });
    const e = await rejection(store.ingestStream(failing, { digest: sha(Buffer.alloc(2000)), size: 2000 }));
    expect(e.code).toBe('io_error');
    expect(e.message).toMatch(/network went away/);
    expect(readdirSync(store.ingestDir)).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it('removes ingest files of dead processes when opened, keeps those of live ones', () => {
    const ingest = join(root, 'content/ingest');
    mkdirSync(ingest, { recursive: true });
    writeFileSync(join(ingest, '999999999-deadbeef'), 'partial');
    writeFileSync(join(ingest, 'garbage'), 'partial');
    writeFileSync(join(ingest, `${process.pid}-live`), 'in flight');
    new ContentStore(root);
    expect(readdirSync(ingest)).toEqual([`${process.pid}-live`]);
  });
});
