// `image inspect` and `history`: Docker's shapes, built from the image record
// and its config blob (which holds the full config and the history).
import { BerthError } from '../errors.js';
import { familiarName, parseReference } from '../image/reference.js';
import { parseImageConfig } from '../image/image-config.js';
import type { ImageConfig } from '../image/manifest-types.js';
import type { ContentStore } from '../store/content-store.js';
import type { MetadataDb } from '../store/db.js';
import type { ImageRecord } from '../store/records.js';
import type { ImageHistoryRow } from '../protocol/methods.js';
import { findImage } from './lookup.js';

export function requireImage(db: MetadataDb, name: string): ImageRecord {
  if (typeof name !== 'string' || name === '') throw new BerthError('invalid_argument', 'no image given');
  const img = findImage(db, name);
  if (!img) throw new BerthError('not_found', `No such image: ${name}`);
  return img;
}

async function readConfig(content: ContentStore, img: ImageRecord): Promise<ImageConfig | undefined> {
  try {
    return parseImageConfig(await content.readBytes(img.id));
  } catch {
    return undefined; // fall back to the record
  }
}

export async function inspectImage(db: MetadataDb, content: ContentStore, name: string): Promise<Record<string, unknown>> {
  const img = requireImage(db, name);
  const cfg = await readConfig(content, img);
  const rc = cfg?.config ?? {};
  const config = {
    Hostname: '',
    Domainname: '',
    User: rc.User ?? img.config.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: rc.ExposedPorts ?? null,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: rc.Env ?? img.config.Env ?? null,
    Cmd: rc.Cmd ?? img.config.Cmd ?? null,
    Image: '',
    Volumes: rc.Volumes ?? null,
    WorkingDir: rc.WorkingDir ?? img.config.WorkingDir ?? '',
    Entrypoint: rc.Entrypoint ?? img.config.Entrypoint ?? null,
    OnBuild: null,
    Labels: rc.Labels ?? img.config.Labels ?? null,
    ...(rc.StopSignal ?? img.config.StopSignal ? { StopSignal: rc.StopSignal ?? img.config.StopSignal } : {}),
    ...(rc.Healthcheck ?? img.config.Healthcheck ? { Healthcheck: rc.Healthcheck ?? img.config.Healthcheck } : {}),
  };
  const layerDirs = img.layers.map((l) => db.layers.get(l.chainId)?.path).filter((p): p is string => !!p).reverse();
  return {
    Id: img.id,
    RepoTags: img.repoTags.map((t) => familiarName(parseReference(t))),
    RepoDigests: img.repoDigests.map((t) => familiarName(parseReference(t))),
    Parent: '',
    Comment: cfg?.history?.at(-1)?.comment ?? '',
    Created: img.created ?? cfg?.created ?? '',
    DockerVersion: '',
    Author: cfg?.author ?? '',
    Config: config,
    Architecture: cfg?.architecture ?? '',
    ...(cfg?.variant ? { Variant: cfg.variant } : {}),
    Os: cfg?.os ?? '',
    Size: img.size,
    GraphDriver: { Name: 'overlay', Data: { LowerDir: layerDirs.join(':') } },
    RootFS: { Type: 'layers', Layers: cfg?.rootfs.diff_ids ?? img.layers.map((l) => l.diffId) },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

export async function imageHistory(db: MetadataDb, content: ContentStore, name: string): Promise<ImageHistoryRow[]> {
  const img = requireImage(db, name);
  const cfg = await readConfig(content, img);
  const sizes = img.layers.map((l) => db.layers.get(l.chainId)?.size ?? 0);
  const history = cfg?.history && cfg.history.length > 0
    ? cfg.history
    : img.layers.map(() => ({ created: img.created ?? undefined, created_by: '', comment: '', empty_layer: false }));
  let layer = 0;
  const rows: ImageHistoryRow[] = history.map((h) => {
    const size = h.empty_layer ? 0 : (sizes[layer++] ?? 0);
    return { id: '<missing>', created: h.created ?? null, createdBy: h.created_by ?? '', size, comment: h.comment ?? '', tags: [] };
  });
  rows.reverse();
  if (rows.length > 0) {
    rows[0].id = img.id;
    rows[0].tags = img.repoTags.map((t) => familiarName(parseReference(t)));
  }
  return rows;
}
