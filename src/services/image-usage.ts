// Who uses what: the containers (any state) that reference an image, and the
// layer directories containers mount, read from the persisted container
// actors in LMDB. Safe to call inside a transaction.
import { dockerState, type ContainerInput } from '../machines/container.js';
import type { MetadataDb } from '../store/db.js';

export interface ContainerUse {
  id: string;
  imageId: string;
  running: boolean;
  /** overlay lower dirs of the container, top layer first */
  lowerDirs: string[];
}

export function containerUses(db: MetadataDb): ContainerUse[] {
  const out: ContainerUse[] = [];
  for (const { value } of db.actors.getRange({ start: 'container/', end: 'container0' })) {
    const input = (value.input ?? {}) as Partial<ContainerInput>;
    const snap = (value.snapshot ?? {}) as { value?: unknown; context?: Partial<ContainerInput> };
    const ctx = snap.context ?? input;
    const id = ctx.id ?? input.id;
    const imageId = ctx.imageId ?? input.imageId;
    if (typeof id !== 'string' || typeof imageId !== 'string') continue;
    const lowerDirs = ctx.spec?.lowerDirs ?? input.spec?.lowerDirs ?? [];
    out.push({ id, imageId, running: snap.value !== undefined && dockerState(snap.value) === 'running', lowerDirs });
  }
  return out;
}

/** Number of containers per image id. */
export function containerCounts(db: MetadataDb): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of containerUses(db)) counts.set(c.imageId, (counts.get(c.imageId) ?? 0) + 1);
  return counts;
}

/** True while a pull or layer actor is persisted (a pull or unpack is in progress). */
export function pullInProgress(db: MetadataDb): boolean {
  for (const { value } of db.actors.getRange()) {
    if (value.kind === 'pull' || value.kind === 'layer') return true;
  }
  return false;
}
