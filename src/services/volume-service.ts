// Volumes, as the daemon's local service: create, list, inspect, remove and
// prune local-driver volumes (records and directories in volume-store.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';
import type { MetadataDb } from '../store/db.js';
import type { VolumeRecord } from '../store/records.js';
import type { VolumeCreateParams, VolumeDoc } from '../protocol/volume-network-methods.js';
import { matchesLabel } from './container-filters.js';
import { createVolumeRecord, removeVolume, volumeData, volumeUsers } from './volume-store.js';

const run = promisify(execFile);
const FILTERS = new Set(['name', 'label', 'dangling', 'driver']);

function checkFilters(filters: Record<string, string[]>, allowed = FILTERS): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.has(key)) throw new BerthError('invalid_argument', `invalid filter '${key}': use ${[...allowed].join(', ')}`);
  }
  for (const v of filters.dangling ?? []) {
    if (!['true', 'false', '1', '0'].includes(v)) throw new BerthError('invalid_argument', `invalid filter 'dangling=${v}': use true or false`);
  }
}

async function dataSize(path: string): Promise<number> {
  try {
    return Number((await run('du', ['-sb', path])).stdout.split('\t')[0]) || 0;
  } catch {
    return 0;
  }
}

export class VolumeService {
  constructor(private readonly db: MetadataDb, private readonly root: string) {}

  private doc(rec: VolumeRecord): VolumeDoc {
    return {
      CreatedAt: rec.createdAt,
      Driver: rec.driver,
      Labels: rec.labels,
      Mountpoint: volumeData(this.root, rec.name),
      Name: rec.name,
      Options: rec.options,
      Scope: 'local',
    };
  }

  async create(p: VolumeCreateParams): Promise<VolumeDoc> {
    return this.doc((await createVolumeRecord(this.db, this.root, p)).record);
  }

  private matches(rec: VolumeRecord, filters: Record<string, string[]>): boolean {
    for (const [key, values] of Object.entries(filters)) {
      if (key === 'name' && !values.some((v) => rec.name.includes(v))) return false;
      if (key === 'driver' && !values.includes(rec.driver)) return false;
      if (key === 'label' && !values.every((v) => matchesLabel(rec.labels, v))) return false;
      if (key === 'dangling') {
        const dangling = volumeUsers(this.db, rec.name).length === 0;
        if (!values.some((v) => (v === 'true' || v === '1') === dangling)) return false;
      }
    }
    return true;
  }

  list(filters: Record<string, string[]> = {}): VolumeDoc[] {
    checkFilters(filters);
    const out: VolumeDoc[] = [];
    for (const { value } of this.db.volumes.getRange()) if (this.matches(value, filters)) out.push(this.doc(value));
    return out;
  }

  inspect(name: string): VolumeDoc {
    const rec = this.db.volumes.get(name);
    if (!rec) throw new BerthError('not_found', `get ${name}: no such volume`);
    return this.doc(rec);
  }

  async remove(name: string, force: boolean): Promise<null> {
    await removeVolume(this.db, this.root, name, { force });
    return null;
  }

  /** Each volume's data size and how many containers use it (system df). */
  async usage(): Promise<Array<{ name: string; size: number; links: number }>> {
    const out: Array<{ name: string; size: number; links: number }> = [];
    for (const { value } of [...this.db.volumes.getRange()]) {
      out.push({ name: value.name, size: await dataSize(volumeData(this.root, value.name)), links: volumeUsers(this.db, value.name).length });
    }
    return out;
  }

  /** Unused anonymous volumes; with `all`, unused named ones too (Docker 23's rule). */
  async prune(all: boolean, filters: Record<string, string[]> = {}): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    checkFilters(filters, new Set(['label']));
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const { value } of [...this.db.volumes.getRange()]) {
      if ((!all && !value.anonymous) || !this.matches(value, filters) || volumeUsers(this.db, value.name).length > 0) continue;
      const size = await dataSize(volumeData(this.root, value.name));
      try {
        await removeVolume(this.db, this.root, value.name);
        deleted.push(value.name);
        spaceReclaimed += size;
      } catch {
        /* a container started using it meanwhile */
      }
    }
    return { deleted, spaceReclaimed };
  }
}
