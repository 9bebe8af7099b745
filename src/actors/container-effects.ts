// The I/O behind a container's machine: the bundle, the shim and its attach
// connection, runtime commands, cleanup. One instance per container actor.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
import { mountSharedShm, releaseSharedShm, sharedShmDir } from '../runtime/shared-shm.js';
import { traceStart } from '../util/trace.js';
import { dockerState, type ContainerContext, type ExitOutput, type StartOutput } from '../machines/container.js';
import type { ActorEnv } from './actor-env.js';
import { removeAnonymousVolumes } from '../services/volume-store.js';
import { applyNetns, attachNetwork, detachNetwork } from '../network/container-network.js';
import { modeEtcMounts, refreshPeers, writeEtcFiles } from '../network/etc-files.js';
import { forgetContainerNetworks } from '../network/endpoints.js';

/** How long to wait for a shim's cleanup after the exit before going on without it. */
const SHIM_CLEANUP_WAIT_MS = 10_000;

/** The daemon's /etc files, except where the user mounted a file of their own (-v x:/etc/hosts wins, as with Docker). */
function addEtcMounts(spec: Record<string, unknown>, etc: Record<string, unknown>[]): void {
  const mounts = spec.mounts as { destination: string }[];
  const taken = new Set(mounts.map((m) => m.destination));
  mounts.push(...(etc as { destination: string }[]).filter((m) => !taken.has(m.destination)));
}

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
  /** the container's --network mode (fixed at creation): only bridge networks have anything to release */
  networkMode: string | undefined;
  /** the container runs with --ipc shareable (fixed at creation): its /dev/shm is mounted on the host */
  sharesIpcNamespace = false;
  /** Resolves once the journal holds the container; set by the actor. Nothing that outlives a crash is launched before. */
  beforeLaunch: () => Promise<void> = async () => {};

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
    if (this.restored) await this.clearLeftovers();
    // Synchronous, as the bundle below: a few metadata calls on this actor
    // host's own thread cost less than a round trip each through libuv's
    // thread pool, which a busy machine makes long.
    for (const dir of [p.rootfs, p.upper, p.work]) mkdirSync(dir, { recursive: true });
    mkdirSync(p.shimDir, { recursive: true, mode: 0o700 });
    rmSync(p.exitFile, { force: true });
    const execRoot = this.env.config.execRoot;
    const spec = buildOciSpec(ctx.spec, {
      cgroupsPath: `/berth/${ctx.id}`,
      initBinary: join(dirname(this.env.config.shimPath), 'berth-init'),
      containerPid: (id) => this.pidOf(id),
      sharedShm: { own: sharedShmDir(execRoot, ctx.id), of: (id) => (this.sharesIpc(id) ? sharedShmDir(execRoot, id) : null) },
    });
    // Files only until the journal holds the container (a new container's
    // creation commit may still be in flight): what outlives a crash in the
    // kernel — a network namespace, a shim — waits for it. The bundle is not
    // fsynced: it is rewritten from the journaled context at every start.
    const bridged = ctx.spec.network?.mode === 'bridge';
    if (!bridged) {
      applyNetns(spec, await attachNetwork(this.netEnv, ctx.id, ctx.spec.network, (id) => this.pidOf(id)));
      addEtcMounts(spec, modeEtcMounts(this.env.config.root, ctx));
      writeFileSync(p.configJson, JSON.stringify(spec));
    }
    trace('bundle written');
    await this.beforeLaunch();
    trace('creation journaled');
    if (ctx.spec.host?.ipcMode === 'shareable') await mountSharedShm(sharedShmDir(execRoot, ctx.id), ctx.spec.host.shmSize);
    if (bridged) {
      applyNetns(spec, await attachNetwork(this.netEnv, ctx.id, ctx.spec.network, (id) => this.pidOf(id)));
      addEtcMounts(spec, await writeEtcFiles(this.env.db, this.env.config.root, ctx));
      await writeFile(p.configJson, JSON.stringify(spec));
      trace('network attached');
    }
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
    }).catch(async (err: unknown) => {
      await this.releaseHostState();
      throw err;
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

  /** Deletes what a start wrote for a container whose creation was refused (its name was taken). */
  async discardFiles(): Promise<void> {
    await Promise.all([rm(this.paths.dir, { recursive: true, force: true }), rm(this.paths.shimDir, { recursive: true, force: true })]);
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
        await this.releaseHostState();
        return exitOutput(rec);
      } catch (err) {
        this.dropAttach();
        const rec = await this.readExitFile().catch(() => null);
        if (rec) {
          await this.releaseHostState();
          return exitOutput(rec);
        }
        if (!(await this.shimAlive())) return this.reapAfterLostShim((err as Error).message);
        if (attempt >= 3) {
          throw new BerthError('runtime_error', `container ${this.shortId}: its shim is running but does not answer (${(err as Error).message})`);
        }
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  /**
   * Set for an actor re-created from the journal: a start cut short by a
   * crash may have left a shim, runtime state or root mount that the
   * journal does not record.
   */
  restored = false;

  /**
   * Removes what a start the journal does not record left behind (the crash
   * came between the effect and its journal entry), so the kernel agrees
   * with the journal. Cheap when there is nothing: a missing pid file, a
   * missing runtime state directory.
   */
  async clearLeftovers(): Promise<void> {
    this.restored = false;
    await this.releaseHostState(); // a network or /dev/shm set up by the cut-short start
    const shimPid = await this.shimPid();
    const hasState = existsSync(join(this.env.config.runtimeRoot, this.id));
    if (shimPid === null && !hasState) return;
    process.stderr.write(`berthd: container ${this.shortId}: removing a shim and runtime state that the journal does not record\n`);
    if (shimPid !== null) {
      try {
        process.kill(shimPid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await runRuntime(this.runtime, ['delete', '--force', this.id]).catch(() => {});
    await unmountRoot(this.paths.rootfs);
    await rm(this.paths.shimDir, { recursive: true, force: true });
  }

  /** The pid of this container's shim if it is alive. */
  private async shimPid(): Promise<number | null> {
    const pid = Number((await readFile(join(this.paths.shimDir, 'shim.pid'), 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    // the pid may have been reused by another program since
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return cmdline.includes(this.id) ? pid : null;
  }

  /** Whether the shim process recorded in the shim directory is still alive. */
  private async shimAlive(): Promise<boolean> {
    return (await this.shimPid()) !== null;
  }

  /**
   * The shim died (killed, crashed) without recording an exit. Nothing is
   * left to reap the container, so the daemon does what the shim would have:
   * kills what is left of it, deletes its runtime state and cgroups, and
   * unmounts its root — and records exit status 255, as containerd does
   * when it loses a shim.
   */
  private async reapAfterLostShim(reason: string): Promise<ExitOutput> {
    process.stderr.write(`berthd: container ${this.shortId}: its shim is gone without an exit status (${reason}); killing and deleting the container\n`);
    await runRuntime(this.runtime, ['delete', '--force', this.id]).catch(() => {});
    await unmountRoot(this.paths.rootfs);
    await rm(this.paths.shimDir, { recursive: true, force: true });
    this.shimCleanedUp = true;
    await this.releaseHostState();
    return { exitCode: 255, finishedAt: new Date().toISOString(), oomKilled: false };
  }

  private get netEnv() {
    return { db: this.env.db, root: this.env.config.root, execRoot: this.env.config.execRoot };
  }

  /** The init pid of another (running) container, for --network container:ID. */
  private pidOf(id: string): number | null {
    const snap = this.env.db.actors.get(`container/${id}`)?.snapshot as { value?: unknown; context?: ContainerContext } | undefined;
    const state = dockerState(snap?.value);
    return state === 'running' || state === 'paused' ? snap?.context?.pid ?? null : null;
  }

  /** Whether another container runs with --ipc shareable (for --ipc container:ID). */
  private sharesIpc(id: string): boolean {
    const snap = this.env.db.actors.get(`container/${id}`)?.snapshot as { context?: ContainerContext } | undefined;
    return this.pidOf(id) !== null && snap?.context?.spec.host?.ipcMode === 'shareable';
  }

  /** What a container holds on the host outside its shim: its network attachment and shareable /dev/shm. */
  private async releaseHostState(): Promise<void> {
    await this.releaseNetwork();
    if (this.sharesIpcNamespace) await releaseSharedShm(sharedShmDir(this.env.config.execRoot, this.id)).catch((err: unknown) => process.stderr.write(`berthd: ${this.shortId}: /dev/shm teardown: ${(err as Error).message}\n`));
  }

  /** CNI DEL and the namespace's removal; a failure is logged, the container still exits. */
  private async releaseNetwork(): Promise<void> {
    if (this.networkMode !== 'bridge') return;
    await detachNetwork(this.netEnv, this.id).catch((err: unknown) => process.stderr.write(`berthd: ${this.shortId}: network teardown: ${(err as Error).message}\n`));
    await refreshPeers(this.env.db, this.env.config.root, this.id).catch(() => {});
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
    await this.releaseHostState();
    if (!this.shimCleanedUp && existsSync(join(this.env.config.runtimeRoot, ctx.id))) {
      // A container whose shim died before deleting it (a dead container): its processes and cgroups go now.
      await runRuntime(this.runtime, ['delete', '--force', ctx.id]).catch(() => {});
    }
    // The shim unmounts when the container exits; it may have died first.
    if (!this.shimCleanedUp) await unmountRoot(p.rootfs);
    // Move the directories out of the way at once (rename is atomic) and
    // delete them after the reply; a crash leaves them in ROOT/trash, which
    // the daemon empties at start. Synchronous (two metadata calls), so the
    // removal ends well inside the journal writer's window and the exit's
    // and the removal's entries commit together.
    const trash = join(this.env.config.root, 'trash');
    mkdirSync(trash, { recursive: true });
    const gone = join(trash, `${ctx.id}-${Date.now()}`);
    try {
      renameSync(p.dir, gone);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    void Promise.all([rm(gone, { recursive: true, force: true }), rm(p.shimDir, { recursive: true, force: true })]).catch(() => {});
    trace('files removed');
    // The name is released in the same transaction as the final journal
    // entry (see releaseName), so a removal is recorded whole or not at all.
    const db = this.env.db;
    // run --rm takes the container's anonymous volumes with it, as Docker does.
    if (ctx.spec.autoRemove) await removeAnonymousVolumes(db, this.env.config.root, ctx);
    if (ctx.spec.network?.mode === 'bridge') await forgetContainerNetworks(db, ctx.id);
  }
}

/** Unmounts a container's root if it is mounted; the shim unmounting it at the same moment is not an error. */
async function unmountRoot(rootfs: string): Promise<void> {
  if (!(await isMountPoint(rootfs))) return;
  const { umount2, constants } = await import('../native/addon.js');
  try {
    umount2(rootfs, constants.MNT_DETACH);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOENT') throw err;
  }
}

/** Writes that belong to a removed container's final journal entry: its name is free again. */
export function releaseName(db: ActorEnv['db'], ctx: { id: string; name: string }): void {
  if (db.names.get(ctx.name) === ctx.id) db.names.remove(ctx.name);
}

function exitOutput(rec: ExitRecord): ExitOutput {
  return { exitCode: rec.exitCode, finishedAt: rec.exitedAt, oomKilled: rec.oomKilled === true };
}
