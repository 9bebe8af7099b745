// What the chaos driver was told by the engine: the acknowledged facts that
// must survive any fault. 'maybe' is an operation a fault cut short.
export interface ModelContainer {
  name: string;
  id?: string;
  created: 'yes' | 'maybe';
  removed: 'no' | 'yes' | 'maybe';
  /** a line the container wrote that `logs` has shown (acknowledged output) */
  logLine?: string;
  /** attached to the chaos network */
  network?: boolean;
}

export interface Model {
  containers: Map<string, ModelContainer>;
  /** the chaos network's bridge device, when the run uses one */
  bridge?: string;
}

export function newModel(bridge?: string): Model {
  return { containers: new Map(), bridge };
}
