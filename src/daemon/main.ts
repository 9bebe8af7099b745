#!/usr/bin/env node
// berthd: the Berth daemon, in the foreground.
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { delimiter, join, isAbsolute } from 'node:path';
import { availableParallelism } from 'node:os';
import { execFileSync } from 'node:child_process';
import { Piscina } from 'piscina';
import { packingBalancer } from '../workers/pool-balancer.js';
import { BerthError } from '../errors.js';
import { parseDaemonArgs, packageRoot, USAGE, type DaemonOptions } from './options.js';
import { openMetadataDb } from '../store/db.js';
import { journalWriter } from '../store/journal.js';
import { removeOrphanContainerDirs } from './orphan-dirs.js';
import { reconcileCheckpoints, restoreActors } from './recovery.js';
import { injectFault, type FaultParams } from './fault-injection.js';
import { startDockerApi } from '../dockerapi/server.js';
import { ActorRouter } from '../workers/router.js';
import { ContainerService } from '../services/container-service.js';
import { ImageService } from '../services/image-service.js';
import { SystemService } from '../services/system-service.js';
import { LoadService } from '../services/load-service.js';
import { ImageOps } from '../services/image-ops.js';
import { makeHandlers } from './handlers.js';
import { ContainerFsOps } from '../services/container-fs-ops.js';
import { EventsService } from '../services/events-service.js';
import { HealthMonitor } from '../services/health-monitor.js';
import { ensureSocketFree, startControlServer } from './control-server.js';
import { lockRoot } from './root-lock.js';
import { loadDaemonConfig } from './config-file.js';
import { RegistryService } from '../services/registry-service.js';
import { startUi } from '../ui/ui-start.js';
import { VolumeService } from '../services/volume-service.js';
import { NetworkService } from '../network/network-service.js';
import { configureBridge } from '../network/bridge-config.js';
import { prepareDefaultBridge } from '../network/default-bridge.js';
import { findContainerId } from '../services/lookup.js';
import { prepareLayersDir } from '../store/layers-dir.js';
import { retainFreedMemory } from './malloc-retention.js';

function resolveExecutable(name: string, what: string): string {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  throw new BerthError('not_found', `${what} "${name}" was not found or is not executable; build it with \`npm run build:native\` or pass --runtime`);
}

function groupId(name: string): number {
  const line = execFileSync('getent', ['group', name], { encoding: 'utf8' }).trim();
  const gid = Number(line.split(':')[2]);
  if (!Number.isInteger(gid)) throw new BerthError('not_found', `group ${name} does not exist`);
  return gid;
}

async function run(opts: DaemonOptions): Promise<void> {
  const fileConfig = loadDaemonConfig(opts.configFile, opts.configFileExplicit);
  if (process.getuid?.() !== 0) throw new BerthError('invalid_argument', 'berthd must run as root (it creates namespaces, mounts and cgroups)');
  const runtime = resolveExecutable(opts.runtime, 'runtime');
  const shim = resolveExecutable(opts.shim, 'shim');
  const gid = opts.socketGroup ? groupId(opts.socketGroup) : null;
  await mkdir(opts.root, { recursive: true, mode: 0o700 });
  await mkdir(opts.execRoot, { recursive: true, mode: 0o711 });
  const unlockRoot = lockRoot(opts.root);
  retainFreedMemory();
  await prepareLayersDir(opts.root, (line) => process.stderr.write(`${line}\n`));
  await ensureSocketFree(opts.socket);
  const db = openMetadataDb(opts.root);
  configureBridge(opts.bridge);
  // removed containers' directories whose deletion a crash cut short
  void rm(join(opts.root, 'trash'), { recursive: true, force: true });

  const poolThreads = opts.poolThreads || Math.max(1, availableParallelism());
  const pool = new Piscina({
    filename: new URL('../workers/pool-tasks.js', import.meta.url).href,
    minThreads: 1,
    maxThreads: poolThreads,
    // a layer transfer waits on the network much of the time: a thread runs several before another starts
    concurrentTasksPerWorker: 3,
    loadBalancer: packingBalancer(3) as unknown as NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>,
    idleTimeout: 30_000,
  });
  const router = new ActorRouter(
    { root: opts.root, execRoot: opts.execRoot, runtimePath: runtime, runtimeRoot: join(opts.execRoot, 'runtime'), shimPath: shim, registry: fileConfig.registry },
    (name, args) => pool.run(args, { name }),
    opts.actorHosts,
  );
  router.onHostWrites = () => db.root.resetReadTxn();
  await router.start();
  reconcileCheckpoints(db, (line) => process.stderr.write(`${line}\n`));
  await restoreActors(db, router);
  await removeOrphanContainerDirs(db, opts.root, (line) => process.stderr.write(`${line}\n`));
  router.onHostRestarted = (host) => restoreActors(db, router, host);
  await prepareDefaultBridge(db, opts.root, (line) => process.stderr.write(`${line}\n`)).catch((err: Error) => process.stderr.write(`berthd: default bridge network: ${err.message}\n`));

  const images = new ImageService(db, router);
  const containers = new ContainerService(db, router, images, { ...opts, shimPath: shim, runtimePath: runtime, runtimeRoot: join(opts.execRoot, 'runtime') });
  const health = new HealthMonitor(db, router, { execRoot: opts.execRoot, shimPath: shim, runtimePath: runtime, runtimeRoot: join(opts.execRoot, 'runtime') });
  health.start();
  const system = new SystemService(db, containers, images, { ...opts, runtime, packageRoot: packageRoot() });
  const load = new LoadService(opts.root, images);
  const imageOps = new ImageOps(db, opts.root, images, opts.execRoot);
  if (imageOps.gc.interrupted) await imageOps.gc.collect(); // finishes a GC a crash cut short; nothing else runs yet
  const ui = await startUi(opts, db, router, async (id) => (await containers.stats([id], false))[0]);
  const handlers = makeHandlers({ ui: ui.info, containers, images, system, load, imageOps, events: new EventsService(db, router), registry: new RegistryService(db, router, fileConfig.registry), db, fs: new ContainerFsOps(db, opts, images, imageOps, containers), volumes: new VolumeService(db, opts.root), networks: new NetworkService(db, opts.root, opts.execRoot), containerIds: (ref: string) => findContainerId(db, ref) });
  if (opts.faultInjection) handlers['debug.fault'] = async (p) => injectFault(p as unknown as FaultParams, router, pool);
  // The Docker API first: once the control socket exists (what clients and tests wait for), every socket does.
  const dockerApi = opts.dockerSocket ? await startDockerApi(opts.dockerSocket, handlers, { gid }) : null;
  const server = await startControlServer(opts.socket, handlers, { gid });
  process.stderr.write(`berthd: listening on unix://${opts.socket} (root ${opts.root}, runtime ${runtime})${dockerApi ? `; Docker API on unix://${opts.dockerSocket}` : ""}\n`);

  // Last line of defence: a bug in one call is logged, not fatal to every container's daemon.
  process.on('unhandledRejection', (err) => process.stderr.write(`berthd: unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    health.stop();
    process.stderr.write(`berthd: ${signal}: shutting down; containers keep running under their shims\n`);
    await server.close();
    await dockerApi?.close();
    await ui.close();
    await router.stop();
    await pool.destroy();
    await journalWriter(db).flush();
    await db.root.close();
    unlockRoot();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

let parsed: DaemonOptions | 'help';
try {
  parsed = parseDaemonArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`berthd: ${(err as Error).message}\n`);
  process.exit(2);
}
if (parsed === 'help') {
  process.stdout.write(USAGE);
} else {
  run(parsed).catch((err: unknown) => {
    const msg = err instanceof BerthError ? err.message : (err as Error)?.stack ?? String(err);
    process.stderr.write(`berthd: ${msg}\n`);
    process.exit(1);
  });
}
