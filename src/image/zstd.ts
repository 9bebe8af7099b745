// Streaming zstd decompression for layers. Node 20's zlib has no zstd, so:
// the system `zstd` binary when there is one (native speed, run as a filter
// process), else fzstd (pure JavaScript, slower, always available).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { Duplex, Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { BerthError } from '../errors.js';

const ZSTD_CANDIDATES = ['/usr/bin/zstd', '/usr/local/bin/zstd', '/bin/zstd'];

let zstdBinary: string | null | undefined;

/** Path of the zstd binary, or null when there is none. */
export function findZstdBinary(): string | null {
  if (zstdBinary !== undefined) return zstdBinary;
  zstdBinary = null;
  for (const c of ZSTD_CANDIDATES) {
    try {
      accessSync(c, constants.X_OK);
      zstdBinary = c;
      break;
    } catch {
      /* next */
    }
  }
  return zstdBinary;
}

function badZstd(detail: string): BerthError {
  return new BerthError('invalid_argument', `layer is not valid zstd data (${detail.trim() || 'decompression failed'}); its media type says zstd`);
}

/** zstd -d as a Duplex: bytes written go to the process, its output is read. */
class ZstdProcess extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdoutEnded = false;
  private exitCode: number | null | undefined;
  private stderr = '';

  constructor(binary: string) {
    super();
    this.child = spawn(binary, ['-d', '-c', '-q', '--no-progress'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (c: Buffer) => {
      if (!this.push(c)) this.child.stdout.pause();
    });
    this.child.stdout.on('end', () => { this.stdoutEnded = true; this.settle(); });
    this.child.stderr.on('data', (c: Buffer) => { this.stderr = (this.stderr + c.toString()).slice(-500); });
    this.child.on('close', (code) => { this.exitCode = code; this.settle(); });
    this.child.on('error', (err) => this.destroy(new BerthError('io_error', `cannot run ${binary}: ${err.message}`)));
    this.child.stdin.on('error', () => { /* the exit status reports it */ });
  }

  private settle(): void {
    if (!this.stdoutEnded || this.exitCode === undefined || this.destroyed) return;
    if (this.exitCode === 0) this.push(null);
    else this.destroy(badZstd(this.stderr));
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.child.stdin.write(chunk)) cb();
    else this.child.stdin.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
    cb(err);
  }
}

/** fzstd as a Transform. */
class ZstdJs extends Transform {
  private readonly d = new Decompress((chunk: Uint8Array) => { this.push(Buffer.from(chunk)); });

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.d.push(chunk);
      cb();
    } catch (err) {
      cb(badZstd((err as Error).message));
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(badZstd((err as Error).message));
    }
  }
}

/** A stream that decompresses zstd; `impl` forces one implementation (tests). */
export function createZstdDecompress(impl?: 'binary' | 'js'): Duplex {
  const binary = impl === 'js' ? null : findZstdBinary();
  if (impl === 'binary' && !binary) throw new BerthError('not_found', 'no zstd binary found');
  return binary ? new ZstdProcess(binary) : new ZstdJs();
}
