// Volumes of the local driver: LMDB records (`volumes`) and their directories
// ROOT/volumes/<name>/_data. Used by the daemon's services and by container
// actors (which drop a --rm container's anonymous volumes).
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { isMountPoint } from '../util/mountinfo.js';
import type { MetadataDb } from '../store/db.js';
import type { VolumeRecord } from '../store/records.js';
import type { ContainerContext } from '../machines/container.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const DRIVER_OPTS = new Set(['type', 'device', 'o']);

export function volumeDir(root: string, name: string): string {
  return join(root, 'volumes', name);
}

export function volumeData(root: string, name: string): string {
  return join(volumeDir(root, name), '_data');
}

export function validateVolumeName(name: string): string {
  if (!NAME.test(name)) {
    throw new BerthError('invalid_argument', `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed (at least 2 characters)`);
  }
  return name;
}

export function checkDriverOptions(driver: string | undefined, options: Record<string, string>): void {
  if (driver !== undefined && driver !== 'local') throw new BerthError('not_found', `volume driver "${driver}" is not supported: berth has the local driver only`);
  for (const key of Object.keys(options)) {
    if (!DRIVER_OPTS.has(key)) throw new BerthError('invalid_argument', `invalid option key: "${key}": the local driver takes type, device and o`);
  }
  const { type, device, o } = options;
  if ((type !== undefined || o !== undefined) && !device) throw new BerthError('invalid_argument', 'missing required option: "device" (e.g. -o type=tmpfs -o device=tmpfs)');
  if (device && type === undefined && !(o ?? '').split(',').includes('bind')) {
    throw new BerthError('invalid_argument', 'missing required option: "type" (or o=bind for a bind of device)');
  }
}

/** The ids of the containers (created, running or stopped) that mount the volume. */
export function volumeUsers(db: MetadataDb, name: string, except?: string): string[] {
  const users: string[] = [];
  for (const { value } of db.actors.getRange({ start: 'container/', end: 'container0' })) {
    const ctx = (value.snapshot as { context?: ContainerContext }).context;
    if (!ctx || ctx.id === except) continue;
    if ((ctx.spec.mounts ?? []).some((m) => m.type === 'volume' && m.source === name)) users.push(ctx.id);
  }
  return users;
}

export async function createVolumeRecord(
  db: MetadataDb,
  root: string,
  req: { name?: string; labels?: Record<string, string>; options?: Record<string, string>; driver?: string },
): Promise<{ record: VolumeRecord; created: boolean }> {
  const anonymous = req.name === undefined || req.name === '';
  const name = anonymous ? randomBytes(32).toString('hex') : validateVolumeName(req.name as string);
  const options = req.options ?? {};
  checkDriverOptions(req.driver, options);
  const existing = db.volumes.get(name);
  if (existing) return { record: existing, created: false };
  await mkdir(volumeData(root, name), { recursive: true, mode: 0o755 });
  const record: VolumeRecord = { name, driver: 'local', labels: req.labels ?? {}, options, createdAt: new Date().toISOString(), anonymous };
  // Two creates of one name race here: the first wins, the second returns it.
  const won = await db.volumes.ifNoExists(name, () => db.volumes.put(name, record));
  return won ? { record, created: true } : { record: db.volumes.get(name) as VolumeRecord, created: false };
}

/** Removes the record and the data; refuses a volume a container uses. */
export async function removeVolume(db: MetadataDb, root: string, name: string, opts: { except?: string; force?: boolean } = {}): Promise<void> {
  const rec = db.volumes.get(name);
  if (!rec) {
    if (opts.force) return;
    throw new BerthError('not_found', `get ${name}: no such volume`);
  }
  const users = volumeUsers(db, name, opts.except);
  if (users.length > 0) {
    throw new BerthError('conflict', `remove ${name}: volume is in use - [${users.join(', ')}]; remove those containers first (berth rm)`);
  }
  await db.volumes.remove(name);
  const data = volumeData(root, name);
  if (await isMountPoint(data)) {
    const { umount2, constants } = await import('../native/addon.js');
    umount2(data, constants.MNT_DETACH);
  }
  const trash = join(root, 'trash');
  await mkdir(trash, { recursive: true });
  const gone = join(trash, `volume-${name}-${Date.now()}`);
  await rename(volumeDir(root, name), gone).catch(() => {});
  await rm(gone, { recursive: true, force: true });
}

/** `rm -v` and `run --rm`: the container's anonymous volumes go with it, unless another container uses them. */
export async function removeAnonymousVolumes(db: MetadataDb, root: string, ctx: ContainerContext): Promise<void> {
  for (const m of ctx.spec.mounts ?? []) {
    if (m.type !== 'volume' || !m.anonymous) continue;
    await removeVolume(db, root, m.source, { except: ctx.id, force: true }).catch(() => {});
  }
}
