// The machine definitions as plain nodes and edges, for the visualizer's
// state charts. Computed once per daemon from src/machines: nothing here runs
// per transition.
import { toDirectedGraph } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';
import { containerMachine } from '../machines/container.js';
import { pullMachine } from '../machines/pull.js';
import { layerMachine } from '../machines/layer.js';
import { pushMachine } from '../machines/push.js';
import type { ActorKind } from '../store/journal-entry.js';

export interface ChartNode { id: string; label: string; parent: string | null; hasChildren: boolean }
export interface ChartEdge { id: string; source: string; target: string; label: string }
export interface MachineChart { kind: ActorKind; root: string; nodes: ChartNode[]; edges: ChartEdge[] }

type Graph = ReturnType<typeof toDirectedGraph>;

/** xstate's internal event names, shortened for a label: done.<state> / error.<state>. */
function eventLabel(text: string): string {
  const m = /^xstate\.(done|error)\.actor\.\d+\.(.+)$/.exec(text);
  return m ? `${m[1]}: ${m[2].split('.').pop()}` : text;
}

export function machineChart(kind: ActorKind, machine: AnyStateMachine): MachineChart {
  const g = toDirectedGraph(machine);
  const nodes: ChartNode[] = [];
  const edges: ChartEdge[] = [];
  const seen = new Set<string>();
  const walk = (n: Graph, parent: string | null) => {
    nodes.push({ id: n.id, label: n.id.split('.').pop() ?? n.id, parent, hasChildren: n.children.length > 0 });
    for (const e of n.edges) {
      const id = `${e.source.id}|${e.label.text}|${e.target.id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      edges.push({ id, source: e.source.id, target: e.target.id, label: eventLabel(e.label.text) });
    }
    for (const c of n.children) walk(c, n.id);
  };
  walk(g, null);
  return { kind, root: g.id, nodes, edges };
}

let charts: Record<string, MachineChart> | null = null;

export function allMachineCharts(): Record<string, MachineChart> {
  charts ??= {
    container: machineChart('container', containerMachine),
    pull: machineChart('pull', pullMachine),
    layer: machineChart('layer', layerMachine),
    push: machineChart('push', pushMachine),
  };
  return charts;
}
