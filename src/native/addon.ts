// Loader for native/build/berth_native.node: synchronous syscalls Node lacks.
// The addon is loaded on first use, so importing this module never fails;
// calling a function when the addon is not built throws an Error saying so.
//
// Failed syscalls throw an Error shaped like Node's fs errors:
//   message "EPERM: Operation not permitted, mount '/target'",
//   .code = errno name, .errno = -errno, .syscall, .path.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeConstants {
  readonly MS_RDONLY: number;
  readonly MS_NOSUID: number;
  readonly MS_NODEV: number;
  readonly MS_NOEXEC: number;
  readonly MS_REMOUNT: number;
  readonly MS_BIND: number;
  readonly MS_REC: number;
  readonly MS_PRIVATE: number;
  readonly MS_SLAVE: number;
  readonly MS_SHARED: number;
  readonly MNT_FORCE: number;
  readonly MNT_DETACH: number;
  readonly S_IFCHR: number;
  readonly S_IFBLK: number;
  readonly S_IFIFO: number;
}

/** The error thrown for a failed syscall. */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
}

/** A child started by spawn(): its pid and the parent's ends of its stdout and stderr pipes (close-on-exec). */
export interface SpawnedChild {
  pid: number;
  stdoutFd: number;
  stderrFd: number;
}

/** How a reaped child ended: an exit code, or the number of the signal that killed it. */
/** A native gunzip decoder (opaque). */
export type GunzipHandle = { readonly __gunzip: unique symbol };

/** A sha256 being hashed on a native thread of its own (opaque). */
export type Sha256Handle = { readonly __sha256: unique symbol };

/** A native layer extraction in progress (opaque). */
export type UntarHandle = { readonly __untar: unique symbol };

/** A native layer extraction running on a thread of its own (opaque). */
export type UntarThreadHandle = { readonly __untarThread: unique symbol };

/** What a finished extraction reports. */
export interface UntarResult {
  /** "sha256:<hex>" of the tar bytes fed. */
  diffId: string;
  /** Bytes of tar fed. */
  size: number;
  /** Sum of the regular files' sizes. */
  contentSize: number;
}

export interface ChildExit {
  code: number | null;
  signal: number | null;
}

interface NativeBinding {
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer | null;
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  markTopDir(path: string): boolean;
  memfdCreate(name: string): number;
  closeFd(fd: number): void;
  memBudgetTake(bytes: number, limit: number): boolean;
  memBudgetGive(bytes: number): number;
  syncfs(path: string): Promise<void>;
  writeOutFile(fd: number, path: string): Promise<void>;
  spawn(path: string, args: string[], env: string[] | null): SpawnedChild;
  reap(pid: number): ChildExit | null;
  gunzipCreate(unchecked?: boolean): GunzipHandle;
  gunzipStream(h: GunzipHandle, dst: Buffer, src: Buffer): [number, number, number];
  gunzipEnd(h: GunzipHandle): void;
  untarCreate(dir: string, walkOnly?: boolean): UntarHandle;
  untarWrite(h: UntarHandle, tar: Buffer): void;
  untarGunzip(h: UntarHandle, gz: GunzipHandle, src: Buffer): number;
  untarFinish(h: UntarHandle): UntarResult;
  untarEnd(h: UntarHandle): void;
  untarThreadCreate(dir: string, compression: 'gzip' | 'zstd' | 'tar', unchecked: boolean): UntarThreadHandle;
  untarZstd(): boolean;
  untarThreadWrite(h: UntarThreadHandle, data: Buffer): void;
  untarThreadFinish(h: UntarThreadHandle): Promise<UntarResult>;
  untarThreadEnd(h: UntarThreadHandle): void;
  sha256Create(): Sha256Handle;
  sha256Update(h: Sha256Handle, data: Buffer): void;
  sha256WriteTo(h: Sha256Handle, path: string, offset: number): void;
  sha256WriteToFd(h: Sha256Handle, fd: number, offset: number): void;
  sha256Digest(h: Sha256Handle): string;
  mallocTune(trimThreshold: number, topPad: number, mmapThreshold: number): boolean;
  constants: NativeConstants;
}

const CONSTANT_NAMES: readonly (keyof NativeConstants)[] = [
  'MS_RDONLY', 'MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC', 'MS_REMOUNT', 'MS_BIND', 'MS_REC', 'MS_PRIVATE',
  'MS_SLAVE', 'MS_SHARED', 'MNT_FORCE', 'MNT_DETACH', 'S_IFCHR', 'S_IFBLK', 'S_IFIFO',
];

/** The package root: the nearest ancestor of this file with package.json and native/.
 * Works from src/native (vitest, tsx) and from dist/src/native (compiled). */
function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    if (dirname(dir) === dir) throw new Error(`berth_native: no package root above ${start}`);
  }
}

/** Absolute path of the addon binary. */
export function addonPath(): string {
  return join(packageRoot(), 'native', 'build', 'berth_native.node');
}

let binding: NativeBinding | undefined;

function load(): NativeBinding {
  if (binding) return binding;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(`berth_native: ${path} is missing; build it with "make -C native build/berth_native.node"`);
  }
  const require = createRequire(import.meta.url);
  binding = require(path) as NativeBinding;
  return binding;
}

/** mknod(2). mode includes the file type bits (constants.S_IFCHR | 0o666). */
export function mknod(path: string, mode: number, major: number, minor: number): void {
  load().mknod(path, mode, major, minor);
}

/** lsetxattr(2) with flags 0 (create or replace). */
export function lsetxattr(path: string, name: string, value: Buffer): void {
  load().lsetxattr(path, name, value);
}

/** lgetxattr(2); null when the attribute does not exist (ENODATA). */
export function lgetxattr(path: string, name: string): Buffer | null {
  return load().lgetxattr(path, name);
}

/** mount(2). */
export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
  load().mount(source, target, fstype, flags, data);
}

/** Whether the built addon has `name` (an addon built from older sources may lack newer functions). */
export function addonHas(name: Exclude<keyof NativeBinding, 'constants'>): boolean {
  try {
    return typeof load()[name] === 'function';
  } catch {
    return false;
  }
}

/** syncfs(2) of the filesystem holding `path`, on the addon's own flushing thread (not libuv's pool), grouped with the
 * requests of every thread of the process that arrive before it starts. */
export function syncfs(path: string): Promise<void> {
  return load().syncfs(path);
}

/** Copies the whole of the open file `fd` into the file at `path` (created, or emptied first; mode 0644 either
 * way) and fdatasyncs it, on the addon's write-out thread, which runs at the lowest CPU and I/O priority (work left
 * behind, such as a pulled blob's copy out of memory, gives way to everything else). The caller may close
 * `fd` once this returns. Rejects with an errno Error naming the path and the call that failed. */
export function writeOutFile(fd: number, path: string): Promise<void> {
  return load().writeOutFile(fd, path);
}

/** Start `path` with posix_spawn (no fork of the caller's page tables), searching PATH when it has no
 * slash. The child gets stdin from /dev/null, stdout and stderr on new pipes, no other fd, an empty signal
 * mask and default signal dispositions; env is a list of NAME=value (null: inherit the process environment).
 * A program that cannot be executed throws an errno Error (ENOENT, EACCES, ...) with syscall 'spawn'.
 * The caller owns the returned fds and must reap() the pid. */
export function spawn(path: string, args: string[], env: string[] | null = null): SpawnedChild {
  return load().spawn(path, args, env);
}

/** waitpid(pid, WNOHANG): how the child ended, or null while it still runs. Never blocks. */
export function reap(pid: number): ChildExit | null {
  return load().reap(pid);
}

/** A streaming gunzip decoder running on the calling thread (zlib as exported by node).
 * unchecked skips the gzip trailer's CRC-32 and length checks: only for output the caller verifies with a digest. */
export function gunzipCreate(unchecked = false): GunzipHandle {
  return load().gunzipCreate(unchecked);
}

/** Inflates from `src` into `dst`: [more (0 at the end of a gzip member), bytes produced, bytes consumed]; throws on corrupt data. */
export function gunzipStream(h: GunzipHandle, dst: Buffer, src: Buffer): [number, number, number] {
  return load().gunzipStream(h, dst, src);
}

/** Frees the decoder now (otherwise when it is collected). */
export function gunzipEnd(h: GunzipHandle): void {
  load().gunzipEnd(h);
}

/** Starts extracting a tar into the directory `dir` on the calling thread (see native/addon/untar_napi.c): entries
 * never land outside it. The daemon extracts layers with untarThreadCreate (the same extraction on a thread of its
 * own); this synchronous form is what the extraction's own tests drive, walkOnly (resolve paths as on a kernel
 * without openat2) included. */
export function untarCreate(dir: string, walkOnly = false): UntarHandle {
  return load().untarCreate(dir, walkOnly);
}

/** Feeds uncompressed tar bytes. Throws (.code BERTH_UNSAFE_LAYER, BERTH_BAD_TAR or BERTH_IO) when an entry is refused or fails. */
export function untarWrite(h: UntarHandle, tar: Buffer): void {
  load().untarWrite(h, tar);
}

/** Inflates gzip bytes with `gz` and feeds the tar, in one call; returns 0 when the data so far ends at the end of a gzip member. */
export function untarGunzip(h: UntarHandle, gz: GunzipHandle, src: Buffer): number {
  return load().untarGunzip(h, gz, src);
}

/** Checks the archive is complete and sets directory mtimes; the handle is released. */
export function untarFinish(h: UntarHandle): UntarResult {
  return load().untarFinish(h);
}

/** Releases the handle's fds now (safe after untarFinish or a failure). */
export function untarEnd(h: UntarHandle): void {
  load().untarEnd(h);
}

/** Starts extracting into `dir` on a native thread of its own (see native/addon/untar_thread_napi.c), from bytes
 * compressed as said (zstd only when untarZstd()); unchecked: skip gzip's CRC-32 or zstd's frame checksums (the
 * caller checks the diffID). */
export function untarThreadCreate(dir: string, compression: 'gzip' | 'zstd' | 'tar', unchecked: boolean): UntarThreadHandle {
  return load().untarThreadCreate(dir, compression, unchecked);
}

/** Whether the addon decodes zstd itself (built with libzstd's decoder, see native/Makefile). */
export function untarZstd(): boolean {
  return addonHas('untarZstd') && load().untarZstd();
}

/** Copies bytes in (gzip or tar, as created); throws the extraction's failure (codes as untarWrite, or Z_DATA_ERROR)
 * once it has failed. Waits only while 4 MiB are still to be extracted. */
export function untarThreadWrite(h: UntarThreadHandle, data: Buffer): void {
  load().untarThreadWrite(h, data);
}

/** Resolves once every byte is extracted and the archive was complete (directory mtimes set); the handle is spent. */
export function untarThreadFinish(h: UntarThreadHandle): Promise<UntarResult> {
  return load().untarThreadFinish(h);
}

/** Stops the extraction and closes everything now (ignored while a finish runs). */
export function untarThreadEnd(h: UntarThreadHandle): void {
  load().untarThreadEnd(h);
}

/** Starts a sha256 whose hashing runs on a native thread of its own (see native/addon/sha256_napi.c). */
export function sha256Create(): Sha256Handle {
  return load().sha256Create();
}

/** Copies `data` into the digest and returns; it is hashed meanwhile. */
export function sha256Update(h: Sha256Handle, data: Buffer): void {
  load().sha256Update(h, data);
}

/** From now on the bytes given are also written to the file at `path` (not truncated) from `offset` on,
 * by the same thread (O_DIRECT where the filesystem allows). A failed write is thrown by sha256Digest. */
export function sha256WriteTo(h: Sha256Handle, path: string, offset: number): void {
  load().sha256WriteTo(h, path, offset);
}

/** As sha256WriteTo, into a duplicate of descriptor `fd` (a file without a path to open, such as a memory file), without O_DIRECT. */
export function sha256WriteToFd(h: Sha256Handle, fd: number, offset: number): void {
  load().sha256WriteToFd(h, fd, offset);
}

/** The digest in lowercase hex, once every byte given is hashed (and written); the handle is spent. */
export function sha256Digest(h: Sha256Handle): string {
  return load().sha256Digest(h);
}

/** Sets how much freed memory the C allocator keeps (glibc's M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD); false where that is not glibc. */
export function mallocTune(trimThreshold: number, topPad: number, mmapThreshold: number): boolean {
  return load().mallocTune(trimThreshold, topPad, mmapThreshold);
}

/** Gives the directory ext4's "top of a hierarchy" flag (chattr +T): each new subdirectory is then
 * placed in a block group chosen afresh rather than its parent's. false when the filesystem has no such flag. */
export function markTopDir(path: string): boolean {
  return load().markTopDir(path);
}

/** memfd_create(2) with MFD_CLOEXEC: a descriptor of a new file that lives only in memory (outside
 * every filesystem, so no flush of one writes it) and is freed when its last descriptor closes. */
export function memfdCreate(name: string): number {
  return load().memfdCreate(name);
}

/** close(2) of a descriptor the addon opened (memfdCreate): Node's fs warns when a worker thread closes one it did not open. */
export function closeFd(fd: number): void {
  load().closeFd(fd);
}

/** Adds `bytes` to the process-wide count of bytes held in memory (shared by every thread) when the total stays within `limit`; whether it did. */
export function memBudgetTake(bytes: number, limit: number): boolean {
  return load().memBudgetTake(bytes, limit);
}

/** Gives back what memBudgetTake took; the count left. */
export function memBudgetGive(bytes: number): number {
  return load().memBudgetGive(bytes);
}

/** umount2(2). */
export function umount2(target: string, flags: number): void {
  load().umount2(target, flags);
}

// The same constants as plain named exports, usable without loading the addon.
// These are Linux ABI values (the same on every architecture); the addon test
// checks that they equal what the addon was compiled with.
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MNT_FORCE = 0x1;
export const MNT_DETACH = 0x2;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/** Mount and file-type constants as compiled into the addon, read on first access. */
export const constants: NativeConstants = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(CONSTANT_NAMES.map((name) => [name, { enumerable: true, get: () => load().constants[name] }])),
  ),
) as NativeConstants;
