// The I/O behind a container's machine: the bundle, the shim and its attach
// connection, runtime commands, cleanup. One instance per container actor.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { BerthError } from '../errors.js';
import { buildOciSpec } from '../runtime/oci-spec.js';
import { containerPaths, type ContainerPaths } from '../runtime/paths.js';
import { launchShim } from '../runtime/shim-launcher.js';
import { AttachClient, type ExitRecord } from '../runtime/attach-client.js';
import { runRuntime } from '../runtime/runtime-cli.js';
import { ociResources } from '../runtime/resources.js';
import type { HostOptions } from '../runtime/host-options.js';
import { parseSignal } from '../runtime/signals.js';
import { isMountPoint } from '../util/mountinfo.js';
import { traceStart } from '../util/trace.js';
import type { ContainerContext, ExitOutput, StartOutput } from '../machines/container.js';
import type { ActorEnv } from './actor-env.js';

/** How long to wait for a shim's cleanup after the exit before going on without it. */
const SHIM_CLEANUP_WAIT_MS = 10_000;

export class ContainerEffects {
  readonly paths: ContainerPaths;
  private attach: AttachClient | null = null;
  /** Time spent in the shim, runtime and container process since START, for the daemon-share trace. */
  externalMs = 0;
  private startSentAt: number | null = null;
  /** terminal size asked for before the container ran */
  pendingSize: { rows: number; cols: number } | null = null;
  /** the shim reported the exit and then closed: it has deleted the container and unmounted its rootfs */
  private shimCleanedUp = false;

  constructor(private readonly env: ActorEnv, private readonly actorId: string, private readonly id: string) {
    this.paths = containerPaths(env.config.root, env.config.execRoot, id);
  }

  private get shortId(): string {
    return this.id.slice(0, 12);
  }

  private get runtime() {
    return { runtimePath: this.env.config.runtimePath, runtimeRoot: this.env.config.runtimeRoot };
  }

  async start(ctx: ContainerContext): Promise<StartOutput> {
    const p = this.paths;
    const trace = traceStart(`${this.shortId} start`);
    await Promise.all([
      mkdir(p.rootfs, { recursive: true }),
      mkdir(p.upper, { recursive: true }),
      mkdir(p.work, { recursive: true }),
      mkdir(p.shimDir, { recursive: true, mode: 0o700 }),
    ]);
    await rm(p.exitFile, { force: true });
    const spec = buildOciSpec(ctx.spec, { cgroupsPath: `/berth/${ctx.id}`, initBinary: join(dirname(this.env.config.shimPath), 'berth-init') });
    // Not fsynced: the bundle is rewritten from the journaled context at every start.
    await writeFile(p.configJson, JSON.stringify(spec));
    trace('bundle written');
    const shimSpawned = performance.now();
    const started = await launchShim({
      ...this.runtime,
      shimPath: this.env.config.shimPath,
      id: ctx.id,
      bundle: p.dir,
      stateDir: p.shimDir,
      logFile: p.log,
      overlay: { lowerDirs: ctx.spec.lowerDirs, upper: p.upper, work: p.work },
      stdin: ctx.spec.openStdin === true,
      terminal: ctx.spec.tty === true,
      logDriver: ctx.spec.logDriver,
      logOpts: ctx.spec.logOpts,
    });
    trace('shim created the container');
    const attach = await this.connect();
    this.externalMs = performance.now() - shimSpawned;
    this.startSentAt = performance.now();
    await attach.start();
    if (ctx.spec.tty && this.pendingSize) await attach.resize(this.pendingSize.rows, this.pendingSize.cols).catch(() => {});
    trace('started');
    return { pid: started.pid, startedAt: new Date().toISOString() };
  }

  async connect(): Promise<AttachClient> {
    if (this.attach) return this.attach;
    const attach = await AttachClient.open(this.paths.attachSocket);
    attach.onOutput = (stream, data) => this.env.notify(this.actorId, { kind: 'output', stream, data });
    this.attach = attach;
    return attach;
  }

  async waitForExit(): Promise<ExitOutput> {
    // The attach connection can end without an exit frame: the shim drops a
    // client that falls behind, or the daemon restarted. Then the exit file
    // tells, or the shim is still there and we attach again.
    for (let attempt = 0; ; attempt++) {
      try {
        const attach = await this.connect();
        const rec = await attach.exited();
        const exitTrace = traceStart(`${this.shortId} exit`);
        // The shim deletes the container and unmounts its rootfs after
        // reporting the exit, then closes the socket.
        this.shimCleanedUp = await Promise.race([
          attach.closed().then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), SHIM_CLEANUP_WAIT_MS).unref()),
        ]);
        exitTrace('shim cleaned up');
        if (this.startSentAt !== null) this.externalMs += performance.now() - this.startSentAt;
        this.startSentAt = null;
        this.dropAttach();
        return exitOutput(rec);
      } catch (err) {
        this.dropAttach();
        const rec = await this.readExitFile().catch(() => null);
        if (rec) return exitOutput(rec);
        if (attempt >= 3 || !existsSync(this.paths.attachSocket)) {
          throw new BerthError('runtime_error', `container ${this.shortId}: its shim is gone and left no exit status (${(err as Error).message})`);
        }
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  dropAttach(): void {
    this.attach?.close();
    this.attach = null;
  }

  private async readExitFile(): Promise<ExitRecord> {
    return JSON.parse(await readFile(this.paths.exitFile, 'utf8')) as ExitRecord;
  }

  async signal(signal: number): Promise<void> {
    await (await this.connect()).kill(signal);
  }

  async stop(ctx: ContainerContext): Promise<void> {
    const attach = await this.connect();
    if (ctx.stopTimeout !== 0) {
      await attach.kill(parseSignal(ctx.spec.stopSignal, 15)).catch(() => {});
      const exited = await Promise.race([
        attach.exited().then(() => true, () => true),
        // a negative timeout waits for ever, as Docker's -t -1 does
        ...(ctx.stopTimeout > 0 ? [new Promise<boolean>((r) => setTimeout(() => r(false), ctx.stopTimeout * 1000).unref())] : []),
      ]);
      if (exited) return;
    }
    await attach.kill(9).catch(() => {});
  }

  /** Applies new cgroup limits to the running container (`runtime update -r`). */
  async update(host: HostOptions): Promise<void> {
    const file = join(this.paths.shimDir, 'update.json');
    await writeFile(file, JSON.stringify(ociResources(host)));
    await runRuntime(this.runtime, ['update', '-r', file, this.id]);
  }

  async pause(): Promise<void> {
    await runRuntime(this.runtime, ['pause', this.id]);
  }

  async resume(): Promise<void> {
    await runRuntime(this.runtime, ['resume', this.id]);
  }

  async stdin(data: Uint8Array | null): Promise<void> {
    const attach = await this.connect();
    if (data === null) await attach.closeStdin();
    else await attach.writeStdin(data);
  }

  async resize(rows: number, cols: number): Promise<void> {
    await (await this.connect()).resize(rows, cols);
  }

  async remove(ctx: ContainerContext): Promise<void> {
    const p = this.paths;
    const trace = traceStart(`${this.shortId} remove`);
    this.dropAttach();
    if (!this.shimCleanedUp && (await isMountPoint(p.rootfs))) {
      // The shim unmounts when the container exits; it may have died first.
      const { umount2, constants } = await import('../native/addon.js');
      umount2(p.rootfs, constants.MNT_DETACH);
    }
    // Move the directories out of the way at once (rename is atomic) and
    // delete them after the reply; a crash leaves them in ROOT/trash, which
    // the daemon empties at start.
    const trash = join(this.env.config.root, 'trash');
    await mkdir(trash, { recursive: true });
    const gone = join(trash, `${ctx.id}-${Date.now()}`);
    await rename(p.dir, gone).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    void Promise.all([rm(gone, { recursive: true, force: true }), rm(p.shimDir, { recursive: true, force: true })]).catch(() => {});
    trace('files removed');
    // Not awaited: LMDB commits this thread's transactions in order, so the
    // name is free before the final journal entry that the caller waits for.
    const db = this.env.db;
    void db.root.transaction(() => {
      if (db.names.get(ctx.name) === ctx.id) db.names.remove(ctx.name);
    });
    trace('name released');
  }
}

function exitOutput(rec: ExitRecord): ExitOutput {
  return { exitCode: rec.exitCode, finishedAt: rec.exitedAt, oomKilled: rec.oomKilled === true };
}
