// Where a container's files live. Persistent data under ROOT, per-boot state
// (the shim's socket, pid and exit files) under EXEC_ROOT. Socket paths are
// limited to 108 bytes, so the shim's directory uses a 16-hex prefix of the id.
import { join } from 'node:path';

export interface ContainerPaths {
  dir: string;        // ROOT/containers/<id>: the bundle (config.json + rootfs/)
  configJson: string;
  rootfs: string;
  upper: string;
  work: string;
  log: string;
  shimDir: string;    // EXEC_ROOT/shims/<id16>
  attachSocket: string;
  exitFile: string;
}

export function containerPaths(root: string, execRoot: string, id: string): ContainerPaths {
  const dir = join(root, 'containers', id);
  const shimDir = join(execRoot, 'shims', id.slice(0, 16));
  return {
    dir,
    configJson: join(dir, 'config.json'),
    rootfs: join(dir, 'rootfs'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    log: join(dir, 'container.log'),
    shimDir,
    attachSocket: join(shimDir, 'attach.sock'),
    exitFile: join(shimDir, 'exit.json'),
  };
}
