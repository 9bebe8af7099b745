// Version and info about the daemon and its host.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { release } from 'node:os';
import { journalLength } from '../store/journal.js';
import { detectCgroupLayout } from '../util/cgroup-layout.js';
import type { MetadataDb } from '../store/db.js';
import type { InfoResult, VersionResult } from '../protocol/methods.js';
import type { ContainerService } from './container-service.js';
import type { ImageService } from './image-service.js';
import { PROTOCOL_VERSION } from '../protocol/frames.js';

export class SystemService {
  private readonly version: string;

  constructor(
    private readonly db: MetadataDb,
    private readonly containers: ContainerService,
    private readonly images: ImageService,
    private readonly opts: { root: string; execRoot: string; runtime: string; actorHosts: number; packageRoot: string },
  ) {
    this.version = (JSON.parse(readFileSync(join(opts.packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  }

  getVersion(): VersionResult {
    return { version: this.version, apiVersion: PROTOCOL_VERSION, node: process.version, os: process.platform, arch: process.arch, runtime: this.opts.runtime };
  }

  getInfo(): InfoResult {
    const all = this.containers.list({ all: true });
    const running = all.filter((c) => c.state === 'running').length;
    return {
      containers: all.length,
      running,
      stopped: all.length - running,
      images: this.images.list().length,
      root: this.opts.root,
      execRoot: this.opts.execRoot,
      runtime: this.opts.runtime,
      cgroupLayout: detectCgroupLayout(),
      actorHosts: this.opts.actorHosts,
      journalEntries: journalLength(this.db),
      kernel: release(),
    };
  }
}
