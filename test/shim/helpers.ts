// Helpers for driving native/build/berth-shim against runc in tests: bundles
// from `runc spec`, the invoker's JSON reply, an attach-socket client and a
// decoder for the container log.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { makeBusyboxRootfs } from '../fixtures/busybox-rootfs.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHIM = join(ROOT, 'native/build/berth-shim');
export const RUNC = '/usr/sbin/runc';

export const FRAME = {
  STDOUT: 1, STDERR: 2, EXIT: 3, OK: 4, ERROR: 5, START: 0x10, KILL: 0x11, STDIN: 0x12, STDIN_CLOSE: 0x13, RESIZE: 0x14,
} as const;

export interface Frame { type: number; payload: Buffer }

export interface ShimReply {
  code: number | null;
  json: { ok: boolean; pid?: number; shimPid?: number; error?: string };
  stdout: string;
  stderr: string;
  invokerPid: number;
}

/** A scratch area for one test: bundle, state dir and runc root under /tmp. */
export class Sandbox {
  readonly dir: string;
  readonly bundle: string;
  readonly state: string;
  readonly runcRoot: string;
  readonly id: string;
  private shimPids: number[] = [];
  private mounts: string[] = [];
  private static seq = 0;

  constructor() {
    this.dir = mkdtempSync('/tmp/berth-shim-test-');
    this.bundle = join(this.dir, 'bundle');
    this.state = join(this.dir, 'state');
    this.runcRoot = join(this.dir, 'runc');
    this.id = `shimtest-${process.pid}-${++Sandbox.seq}`;
  }

  /** Write BUNDLE/config.json from `runc spec`, with our args; rootfs from busybox unless overlay is used. */
  makeBundle(args: string[], opts: { rootfs?: boolean } = {}): void {
    execFileSync('mkdir', ['-p', this.bundle]);
    execFileSync(RUNC, ['spec', '--bundle', this.bundle]);
    const path = join(this.bundle, 'config.json');
    const config = JSON.parse(readFileSync(path, 'utf8'));
    config.process.args = args;
    config.process.terminal = false;
    config.root = { path: 'rootfs', readonly: false };
    writeFileSync(path, JSON.stringify(config, null, 2));
    if (opts.rootfs !== false) makeBusyboxRootfs(join(this.bundle, 'rootfs'));
  }

  /** Edit BUNDLE/config.json. */
  editConfig(edit: (config: any) => void): void {
    const path = join(this.bundle, 'config.json');
    const config = JSON.parse(readFileSync(path, 'utf8'));
    edit(config);
    writeFileSync(path, JSON.stringify(config, null, 2));
  }

  /** Create the container through the shim, START it, and wait for the exit frame and the shim to close. */
  async runToExit(extra: string[] = []): Promise<{ exit: Record<string, unknown>; conn: AttachConn; shimPid: number }> {
    const reply = await this.runShim(extra);
    if (!reply.json.ok) throw new Error(`shim failed: ${reply.json.error}`);
    const conn = await AttachConn.open(join(this.state, 'attach.sock'));
    conn.send(FRAME.START);
    const exit = await conn.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    await conn.waitClosed();
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit');
    return { exit: JSON.parse(exit.payload.toString()), conn, shimPid: reply.json.shimPid! };
  }

  /** Create and START the container, disconnect at once, and wait for the shim to exit; returns exit.json. */
  async runDetached(extra: string[] = []): Promise<Record<string, unknown>> {
    const reply = await this.runShim(extra);
    if (!reply.json.ok) throw new Error(`shim failed: ${reply.json.error}`);
    const conn = await AttachConn.open(join(this.state, 'attach.sock'));
    conn.send(FRAME.START);
    const ok = await conn.reply(0);
    if (ok.type !== FRAME.OK) throw new Error(`START failed: ${ok.payload}`);
    conn.close();
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit', 120_000);
    return JSON.parse(readFileSync(join(this.state, 'exit.json'), 'utf8'));
  }

  /** Write a process JSON for `exec` (the bundle's process with other args) and return its path. */
  writeProcess(name: string, args: string[], extra: Record<string, unknown> = {}): string {
    const config = JSON.parse(readFileSync(join(this.bundle, 'config.json'), 'utf8'));
    const path = join(this.dir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ ...config.process, args, terminal: false, ...extra }));
    return path;
  }

  /** Run `berth-shim exec` for this sandbox's container with its own state dir. */
  runExec(execId: string, processFile: string, extra: string[] = []): Promise<ShimReply> {
    return this.runShim([], [
      'exec', '--id', this.id, '--exec-id', execId, '--state-dir', join(this.dir, `exec-${execId}`),
      '--runtime', RUNC, '--runtime-root', this.runcRoot, '--process', processFile, ...extra,
    ]);
  }

  /** Run the shim's invoker; resolves once its stdout and stderr are closed. */
  runShim(extra: string[] = [], override?: string[]): Promise<ShimReply> {
    const args = override ?? [
      '--id', this.id, '--bundle', this.bundle, '--state-dir', this.state,
      '--runtime', RUNC, '--runtime-root', this.runcRoot, ...extra,
    ];
    return new Promise((resolvePromise, reject) => {
      // detached: the invoker gets its own process group, so the test can kill that group.
      const child = spawn(SHIM, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        try {
          const lines = stdout.split('\n').filter(Boolean);
          if (lines.length !== 1) throw new Error(`expected one JSON line, got ${JSON.stringify(stdout)}`);
          const json = JSON.parse(lines[0]);
          if (json.shimPid) this.shimPids.push(json.shimPid);
          resolvePromise({ code, json, stdout, stderr, invokerPid: child.pid! });
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  trackMount(path: string): void {
    this.mounts.push(path);
  }

  /** runc's containers; a list that raced with a delete (runc fails on the state dir that went away) is asked again. */
  runcList(): string[] {
    for (let attempt = 1; ; attempt++) {
      if (!existsSync(this.runcRoot)) return [];
      try {
        return execFileSync(RUNC, ['--root', this.runcRoot, 'list', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').filter(Boolean);
      } catch (e) {
        if (attempt >= 5 || !String((e as { stderr?: unknown }).stderr).includes('no such file or directory')) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
    }
  }

  async cleanup(): Promise<void> {
    for (const pid of this.shimPids) {
      if (processAlive(pid)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    // runc's state directories, one per container (not `runc list`, which fails on one a shim is deleting meanwhile)
    for (const id of existsSync(this.runcRoot) ? readdirSync(this.runcRoot) : []) {
      try { execFileSync(RUNC, ['--root', this.runcRoot, 'delete', '--force', id], { stdio: 'ignore' }); } catch { /* gone */ }
    }
    for (const m of this.mounts) {
      if (isMounted(m)) execFileSync('umount', ['-l', m]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** True while pid exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Session id of pid, from /proc/PID/stat. */
export function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[3]); // state ppid pgrp session
}

export function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === path);
}

export function mountFsType(path: string): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[4] === path) return f[f.indexOf('-') + 1];
  }
  return undefined;
}

/** Poll until cond() holds; fails the test if it never does. */
export async function eventually(cond: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A client of attach.sock that records every frame it receives. */
export class AttachConn {
  readonly frames: Frame[] = [];
  closed = false;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  private constructor(readonly sock: Socket) {
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 5) {
        const len = this.buf.readUInt32BE(1);
        if (this.buf.length < 5 + len) break;
        this.frames.push({ type: this.buf[0], payload: Buffer.from(this.buf.subarray(5, 5 + len)) });
        this.buf = this.buf.subarray(5 + len);
      }
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {});
  }

  static open(path: string): Promise<AttachConn> {
    return new Promise((res, rej) => {
      const sock = connect(path);
      sock.once('connect', () => res(new AttachConn(sock)));
      sock.once('error', rej);
    });
  }

  send(type: number, payload: string | Buffer = Buffer.alloc(0)): void {
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const header = Buffer.alloc(5);
    header[0] = type;
    header.writeUInt32BE(body.length, 1);
    this.sock.write(Buffer.concat([header, body]));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Wait until a frame matching pred has arrived (or the socket closed). */
  async waitFrame(pred: (f: Frame) => boolean, what: string): Promise<Frame> {
    for (;;) {
      const f = this.frames.find(pred);
      if (f) return f;
      if (this.closed) throw new Error(`attach socket closed before ${what}; frames: ${this.describe()}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Wait until cond() holds, re-checking as frames arrive. */
  async waitUntil(cond: () => boolean, what: string): Promise<void> {
    while (!cond()) {
      if (this.closed) throw new Error(`attach socket closed before ${what}; frames: ${this.describe()}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Bytes received so far on an output stream. */
  streamLength(type: number): number {
    return this.frames.reduce((n, f) => (f.type === type ? n + f.payload.length : n), 0);
  }

  /** Wait until the shim closes the connection. */
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** The n-th reply frame (OK or ERROR). */
  reply(n: number): Promise<Frame> {
    return this.waitFrame(
      (f) => this.frames.filter((g) => g.type === FRAME.OK || g.type === FRAME.ERROR).indexOf(f) === n,
      `reply #${n}`,
    );
  }

  stream(type: number): string {
    return Buffer.concat(this.frames.filter((f) => f.type === type).map((f) => f.payload)).toString('utf8');
  }

  describe(): string {
    return JSON.stringify(this.frames.map((f) => [f.type, f.payload.length > 200 ? `${f.payload.length} bytes` : f.payload.toString('utf8')]));
  }

  close(): void {
    this.sock.destroy();
  }
}

export interface LogRecord { stream: number; ts: bigint; data: Buffer }

/** Decode Berth's compact log: [stream u8][ts u64 BE][len u32 BE][bytes]. */
export function decodeLog(buf: Buffer): LogRecord[] {
  const out: LogRecord[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 13) throw new Error(`truncated record header at ${off}`);
    const stream = buf[off];
    const ts = buf.readBigUInt64BE(off + 1);
    const len = buf.readUInt32BE(off + 9);
    if (buf.length - off - 13 < len) throw new Error(`truncated record at ${off}`);
    out.push({ stream, ts, data: Buffer.from(buf.subarray(off + 13, off + 13 + len)) });
    off += 13 + len;
  }
  return out;
}
