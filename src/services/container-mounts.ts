// Resolves a new container's mounts: checks -v/--mount requests, adds an
// anonymous volume for each image VOLUME nobody mounted over, creates named
// volumes on first use and fills new ones from the image.
import { mkdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { BerthError } from '../errors.js';
import { imageRuntimeConfig } from './image-config-blob.js';
import type { MetadataDb } from '../store/db.js';
import type { ContainerMount, MountRequest } from '../runtime/user-mounts.js';
import { createVolumeRecord, removeVolume, volumeData } from './volume-store.js';
import { ensureVolumeMounted, populateVolume } from './volume-populate.js';

const TYPES = new Set(['bind', 'volume', 'tmpfs']);

/** Checks the shape of `mounts` as it arrives from the network. */
export function checkMountRequests(v: unknown): MountRequest[] | undefined {
  if (v === undefined || v === null) return undefined;
  const bad = (why: string) => new BerthError('invalid_argument', `invalid mount: ${why}`);
  if (!Array.isArray(v)) throw bad('"mounts" must be a list');
  return v.map((m: unknown) => {
    if (typeof m !== 'object' || m === null) throw bad('each mount must be an object');
    const r = m as Record<string, unknown>;
    if (typeof r.type !== 'string' || !TYPES.has(r.type)) throw bad(`type "${String(r.type)}" is not one of bind, volume, tmpfs`);
    if (typeof r.target !== 'string') throw bad('target must be a path');
    if (r.source !== undefined && typeof r.source !== 'string') throw bad('source must be a string');
    for (const k of ['tmpfsSize', 'tmpfsMode'] as const) {
      if (r[k] !== undefined && (typeof r[k] !== 'number' || !Number.isInteger(r[k]) || (r[k] as number) < 0)) throw bad(`${k} must be a whole number`);
    }
    return {
      type: r.type as MountRequest['type'],
      target: r.target,
      ...(r.source !== undefined ? { source: r.source as string } : {}),
      readonly: r.readonly === true,
      createSource: r.createSource === true,
      ...(r.tmpfsSize !== undefined ? { tmpfsSize: r.tmpfsSize as number } : {}),
      ...(r.tmpfsMode !== undefined ? { tmpfsMode: r.tmpfsMode as number } : {}),
    };
  });
}

function cleanTarget(target: string): string {
  if (!target.startsWith('/')) throw new BerthError('invalid_argument', `invalid mount config: the mount point "${target}" is not an absolute path`);
  const t = posix.normalize(target).replace(/(.)\/$/, '$1');
  if (t === '/') throw new BerthError('invalid_argument', 'invalid mount config: the destination cannot be "/"');
  return t;
}

async function imageVolumes(root: string, imageId: string): Promise<string[]> {
  return Object.keys((await imageRuntimeConfig(root, imageId)).Volumes ?? {});
}

async function bindMount(r: MountRequest, target: string): Promise<ContainerMount> {
  const source = r.source ?? '';
  if (!source.startsWith('/')) throw new BerthError('invalid_argument', `invalid mount config for type "bind": the source "${source}" must be an absolute host path`);
  const st = await stat(source).catch(() => null);
  if (!st) {
    if (!r.createSource) throw new BerthError('invalid_argument', `invalid mount config for type "bind": bind source path does not exist: ${source}`);
    await mkdir(source, { recursive: true, mode: 0o755 });
  }
  return { type: 'bind', source, target, readonly: r.readonly === true, hostPath: source };
}

function tmpfsMount(r: MountRequest, target: string): ContainerMount {
  if (r.source) throw new BerthError('invalid_argument', 'invalid mount config for type "tmpfs": source is not allowed for tmpfs');
  const options = [
    ...(r.tmpfsSize !== undefined ? [`size=${r.tmpfsSize}`] : []),
    ...(r.tmpfsMode !== undefined ? [`mode=${r.tmpfsMode.toString(8)}`] : []),
  ];
  return { type: 'tmpfs', source: 'tmpfs', target, readonly: r.readonly === true, tmpfsOptions: options };
}

export interface ResolvedMounts {
  mounts: ContainerMount[];
  /** volumes this creation made: removed again if the creation fails */
  created: string[];
}

export async function resolveMounts(
  ctx: { db: MetadataDb; root: string },
  image: { id: string; lowerDirs: string[] },
  requests: MountRequest[] = [],
): Promise<ResolvedMounts> {
  const seen = new Set<string>();
  const planned = requests.map((r) => {
    const target = cleanTarget(r.target);
    if (seen.has(target)) throw new BerthError('invalid_argument', `Duplicate mount point: ${target}`);
    seen.add(target);
    return { r, target };
  });
  for (const v of await imageVolumes(ctx.root, image.id)) {
    const target = posix.normalize(v).replace(/(.)\/$/, '$1');
    if (target.startsWith('/') && !seen.has(target)) {
      seen.add(target);
      planned.push({ r: { type: 'volume', target }, target });
    }
  }
  const out: ResolvedMounts = { mounts: [], created: [] };
  try {
    for (const { r, target } of planned) {
      if (r.type === 'bind') out.mounts.push(await bindMount(r, target));
      else if (r.type === 'tmpfs') out.mounts.push(tmpfsMount(r, target));
      else out.mounts.push(await volumeMount(ctx, image, r, target, out.created));
    }
  } catch (err) {
    await dropCreated(ctx, out.created);
    throw err;
  }
  return out;
}

async function volumeMount(ctx: { db: MetadataDb; root: string }, image: { lowerDirs: string[] }, r: MountRequest, target: string, created: string[]): Promise<ContainerMount> {
  const { record, created: isNew } = await createVolumeRecord(ctx.db, ctx.root, { name: r.source });
  if (isNew) created.push(record.name);
  const data = volumeData(ctx.root, record.name);
  await ensureVolumeMounted(record, data);
  await mkdir(join(ctx.root, 'tmp'), { recursive: true });
  await populateVolume(join(ctx.root, 'tmp'), image.lowerDirs, target, data);
  return { type: 'volume', source: record.name, target, readonly: r.readonly === true, hostPath: data, anonymous: record.anonymous };
}

export async function dropCreated(ctx: { db: MetadataDb; root: string }, names: string[]): Promise<void> {
  for (const name of names) await removeVolume(ctx.db, ctx.root, name, { force: true }).catch(() => {});
}
