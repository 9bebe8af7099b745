// Content-addressed blob store. Blobs live at ROOT/content/blobs/sha256/<hex>;
// writes go to ROOT/content/ingest/<pid>-<uuid>, are verified, fsynced and
// renamed into place (then the directory is fsynced), so a blob path either
// does not exist or holds exactly the bytes its digest names. Ingest files
// left behind by a process that died are removed when a store is opened.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, readFile, rename, rm, stat, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../errors.js';
import { digestHex, sha256Digest, VerifyingStream } from '../image/digest.js';
import { fsyncDir } from '../util/atomic-file.js';

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ioError(what: string, err: unknown): BerthError {
  if (err instanceof BerthError) return err;
  return new BerthError('io_error', `content store: ${what}: ${(err as Error).message}`, { cause: err });
}


/** Writable into an open file handle (positional writes, no fs.WriteStream fd ownership). */
function fileSink(fh: FileHandle): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      fh.write(chunk).then(() => cb(), cb);
    },
  });
}

export class ContentStore {
  readonly blobsDir: string;
  readonly ingestDir: string;
  /** Layer downloads in progress, named by what they will hold: kept across a daemon restart so a re-pull resumes them. */
  readonly partialDir: string;

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'content', 'blobs', 'sha256');
    this.ingestDir = join(root, 'content', 'ingest');
    this.partialDir = join(root, 'content', 'partial');
    try {
      mkdirSync(this.blobsDir, { recursive: true });
      mkdirSync(this.ingestDir, { recursive: true });
      mkdirSync(this.partialDir, { recursive: true });
      for (const name of readdirSync(this.ingestDir)) {
        const pid = Number(name.split('-')[0]);
        if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) rmSync(join(this.ingestDir, name), { force: true, recursive: true });
      }
    } catch (err) {
      throw ioError(`cannot open the store at ${root}`, err);
    }
  }

  /** Absolute path of the blob (whether or not it exists). Throws invalid_argument for a malformed digest. */
  path(digest: string): string {
    return join(this.blobsDir, digestHex(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.path(digest))).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw ioError(`cannot stat ${digest}`, err);
    }
  }

  /** Size in bytes, or undefined when the blob is absent. */
  async size(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError(`cannot stat ${digest}`, err);
    }
  }

  async readBytes(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new BerthError('not_found', `blob ${digest} is not in the content store; pull or load the image again`);
      }
      throw ioError(`cannot read ${digest}`, err);
    }
  }

  /** Stores `bytes`; when `expectedDigest` is given it must match. Returns the digest. */
  async writeBytes(bytes: Uint8Array, expectedDigest?: string): Promise<string> {
    const digest = sha256Digest(bytes);
    if (expectedDigest !== undefined && expectedDigest !== digest) {
      digestHex(expectedDigest, 'expected digest');
      throw new BerthError('digest_mismatch', `content has digest ${digest} but ${expectedDigest} was expected; it was not stored`);
    }
    if (await this.has(digest)) return digest; // a stored blob is already verified content
    await this.commit(digest, async (fh) => {
      await fh.writeFile(bytes);
    });
    return digest;
  }

  /**
   * Writes `readable` to the store, verifying size and digest as it flows.
   * On any failure the partial file is removed and nothing is stored; a
   * digest_mismatch from upstream (e.g. the registry client) is rethrown as is.
   */
  async ingestStream(readable: Readable, descriptor: { digest: string; size?: number }): Promise<{ digest: string; size: number }> {
    const verifier = new VerifyingStream(descriptor, `blob ${descriptor.digest}`);
    await this.commit(descriptor.digest, async (fh) => {
      await pipeline(readable, verifier, fileSink(fh));
    });
    return { digest: descriptor.digest, size: verifier.bytes };
  }

  /**
   * Writes `readable` to the store under the sha256 computed while writing
   * (for content whose digest is not known in advance, e.g. the files of a
   * `docker save` archive). Same atomicity as ingestStream.
   */
  async ingestUnknown(readable: Readable): Promise<{ digest: string; size: number }> {
    const hash = createHash('sha256');
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    let digest = '';
    await this.commit(() => (digest = `sha256:${hash.digest('hex')}`), async (fh) => {
      await pipeline(readable, hasher, fileSink(fh));
    });
    return { digest, size };
  }

  /** Removes a blob; returns false when it was not there. */
  async delete(digest: string): Promise<boolean> {
    const p = this.path(digest);
    try {
      await stat(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw ioError(`cannot stat ${digest}`, err);
    }
    try {
      await rm(p, { force: true });
      return true;
    } catch (err) {
      throw ioError(`cannot delete ${digest}`, err);
    }
  }

  /** Digests of all stored blobs. */
  async list(): Promise<string[]> {
    try {
      return (await readdir(this.blobsDir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
    } catch (err) {
      throw ioError('cannot list blobs', err);
    }
  }

  /** Runs `write` on a fresh ingest file, then fsync + rename into place + fsync dir; removes the file on failure. */
  private async commit(target: string | (() => string), write: (fh: FileHandle) => Promise<void>): Promise<void> {
    let digest = typeof target === 'string' ? target : 'a blob of unknown digest';
    if (typeof target === 'string') this.path(target);
    const tmp = join(this.ingestDir, `${process.pid}-${randomUUID()}`);
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmp, 'wx', 0o644);
      await write(fh);
      await fh.sync();
      await fh.close();
      fh = undefined;
      if (typeof target !== 'string') digest = target();
      await rename(tmp, this.path(digest));
      await fsyncDir(this.blobsDir);
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw ioError(`cannot store ${digest}`, err);
    }
  }
}
