// Draws one machine definition as an SVG state chart laid out by elkjs
// (bundled into the page; no network), and marks the active states.
import ELK from 'elkjs/lib/elk.bundled.js';

export interface ChartNode { id: string; label: string; parent: string | null; hasChildren: boolean }
export interface ChartEdge { id: string; source: string; target: string; label: string }
export interface MachineChart { kind: string; root: string; nodes: ChartNode[]; edges: ChartEdge[] }

const SVG = 'http://www.w3.org/2000/svg';
const elk = new ELK();

function el(name: string, attrs: Record<string, string | number>, parent: Element): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

interface ElkLaid { id: string; x?: number; y?: number; width?: number; height?: number; children?: ElkLaid[]; edges?: { id: string; sections?: { startPoint: P; endPoint: P; bendPoints?: P[] }[]; labels?: { text: string; x?: number; y?: number }[] }[] }
interface P { x: number; y: number }

/** Lays out and draws `chart` into `svg`; returns the state ids drawn. */
export async function drawChart(svg: SVGSVGElement, chart: MachineChart): Promise<void> {
  const kids = new Map<string | null, ChartNode[]>();
  for (const n of chart.nodes) kids.set(n.parent, [...(kids.get(n.parent) ?? []), n]);
  const build = (n: ChartNode): object => ({
    id: n.id,
    labels: [{ text: n.label }],
    width: n.label.length * 8 + 30,
    height: 34,
    layoutOptions: n.hasChildren ? { 'elk.padding': '[top=30,left=12,bottom=12,right=12]' } : {},
    children: (kids.get(n.id) ?? []).map(build),
  });
  const root = chart.nodes.find((n) => n.parent === null)!;
  const graph = {
    id: '__root',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.hierarchyHandling': 'INCLUDE_CHILDREN', 'elk.edgeLabels.inline': 'true', 'elk.layered.spacing.nodeNodeBetweenLayers': '40' },
    children: [build(root)],
    edges: chart.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target], labels: [{ text: e.label, width: e.label.length * 6.2, height: 12 }] })),
  };
  const laid = (await elk.layout(graph as never)) as unknown as ElkLaid;
  svg.replaceChildren();
  el('defs', {}, svg).innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#667"/></marker>';
  const drawNode = (n: ElkLaid, ox: number, oy: number, parent: Element) => {
    const x = ox + (n.x ?? 0);
    const y = oy + (n.y ?? 0);
    if (n.id !== '__root') {
      const def = chart.nodes.find((c) => c.id === n.id);
      const g = el('g', { class: def?.hasChildren ? 'state compound' : 'state', 'data-state': n.id }, parent);
      el('rect', { x, y, width: n.width ?? 0, height: n.height ?? 0, rx: 8 }, g);
      el('text', { x: x + 10, y: y + 21 }, g).textContent = def?.label ?? n.id;
    }
    for (const c of n.children ?? []) drawNode(c, x, y, parent);
  };
  drawNode(laid, 0, 0, svg);
  // With INCLUDE_CHILDREN, edge coordinates are relative to the root graph.
  const edges = el('g', { class: 'edges' }, svg);
  for (const e of laid.edges ?? []) {
    const s = e.sections?.[0];
    if (!s) continue;
    const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
    const g = el('g', { class: 'edge', 'data-edge': e.id }, edges);
    el('path', { d: 'M' + pts.map((p) => `${p.x},${p.y}`).join('L'), 'marker-end': 'url(#arrow)' }, g);
    const l = e.labels?.[0];
    if (l) el('text', { x: l.x ?? pts[0].x, y: (l.y ?? pts[0].y) + 10, class: 'edge-label' }, g).textContent = l.text;
  }
  svg.setAttribute('viewBox', `-10 -10 ${(laid.width ?? 400) + 20} ${(laid.height ?? 300) + 20}`);
}

/** The state node ids a state value names: 'running' → root.running; {a:'b'} → root.a, root.a.b. */
export function activeIds(root: string, value: unknown): string[] {
  if (typeof value === 'string') return [`${root}.${value}`];
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) out.push(`${root}.${k}`, ...activeIds(`${root}.${k}`, v));
  return out;
}

/** Highlights the active states and flashes the edge just taken (from → to on `event`). */
export function highlight(svg: SVGSVGElement, root: string, value: unknown, taken?: { from: unknown; event: string }): void {
  const active = new Set(activeIds(root, value));
  for (const g of svg.querySelectorAll<SVGGElement>('g.state')) g.classList.toggle('active', active.has(g.dataset.state ?? ''));
  for (const g of svg.querySelectorAll('g.edge.taken')) g.classList.remove('taken');
  if (!taken) return;
  const from = new Set(activeIds(root, taken.from));
  for (const g of svg.querySelectorAll<SVGGElement>('g.edge')) {
    const [src, label, dst] = (g.dataset.edge ?? '').split('|');
    if (from.has(src) && active.has(dst) && (label === taken.event || label.endsWith(taken.event))) {
      g.classList.remove('taken');
      void g.getBoundingClientRect(); // restart the animation
      g.classList.add('taken');
    }
  }
}
