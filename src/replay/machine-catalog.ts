// The pure machine behind each actor kind, and the version of its definition
// that journal entries are stamped with. Bump a version whenever a change to
// a machine would make an older journal replay differently, and add the
// migration for it in migrate-entry.ts.
import type { AnyStateMachine } from 'xstate';
import { containerMachine } from '../machines/container.js';
import { pullMachine } from '../machines/pull.js';
import { layerMachine } from '../machines/layer.js';
import { pushMachine } from '../machines/push.js';
import type { ActorKind } from '../store/journal-entry.js';

export interface CatalogEntry {
  machine: AnyStateMachine;
  version: number;
}

export const MACHINES: Record<ActorKind, CatalogEntry> = {
  container: { machine: containerMachine, version: 1 },
  pull: { machine: pullMachine, version: 1 },
  layer: { machine: layerMachine, version: 1 },
  push: { machine: pushMachine, version: 1 },
};

export function machineVersion(kind: ActorKind): number {
  return MACHINES[kind].version;
}
