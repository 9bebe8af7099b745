// A pull's layers: one row per layer of the image it resolved, each linked to
// its layer actor, with that actor's state and a byte bar fed by the live,
// unjournaled download progress (the figures `berth pull` prints).
import { h, mib, short, stateText, type Actor } from './dom.js';

/** One layer download as the page has followed it; `seen`: every distinct byte count received, in order. */
export interface LayerBytes { status: string; current: number | null; total: number | null; seen: number[] }
export interface ProgressUpdate { pull: string; layer: string; status: string; current: number | null; total: number | null }

/** pull actor id → layer (first 12 hex of the blob digest) → what the page has seen */
export type ProgressStore = Map<string, Map<string, LayerBytes>>;

export function recordProgress(store: ProgressStore, u: ProgressUpdate): void {
  const layers = store.get(u.pull) ?? store.set(u.pull, new Map()).get(u.pull)!;
  const l = layers.get(u.layer) ?? { status: '', current: null, total: null, seen: [] };
  l.status = u.status;
  if (u.total !== null) l.total = u.total;
  if (u.current !== null) {
    l.current = u.current;
    if (l.seen[l.seen.length - 1] !== u.current) l.seen.push(u.current);
  }
  layers.set(u.layer, l);
}

interface PlannedLayer { blobDigest: string; blobSize: number; chainId: string; done?: boolean }

const layerActorId = (chainId: string) => `layer/${chainId.slice(chainId.indexOf(':') + 1).slice(0, 16)}`;

/** A byte bar; without live figures (the page opened later, or the layer was already there) a present layer shows full. */
function byteBar(bytes: LayerBytes | undefined, size: number, present: boolean): HTMLElement {
  const total = bytes?.total ?? size;
  const shownBytes = bytes?.current ?? (present ? total : 0);
  const pct = total > 0 ? Math.min(100, (shownBytes / total) * 100) : 0;
  const bar = h('div', {
    class: 'bar', 'data-status': bytes?.status ?? '', 'data-current': bytes?.current == null ? '' : String(bytes.current),
    'data-total': String(total), 'data-seen': (bytes?.seen ?? []).join(','),
  });
  const fill = h('div', { class: 'fill' });
  fill.style.width = `${pct.toFixed(1)}%`;
  bar.append(fill, h('span', { class: 'bar-text' }, `${mib(shownBytes)} / ${mib(total)}${bytes?.status ? ` — ${bytes.status}` : ''}`));
  return bar;
}

/** A layer actor's own download, as whichever pull that watched it last reported. */
export function renderLayerBytes(context: unknown, state: unknown, store: ProgressStore): HTMLElement[] {
  const c = (context ?? {}) as { blobDigest?: string; blobSize?: number };
  if (!c.blobDigest) return [];
  const shortDigest = c.blobDigest.slice(7, 19);
  let bytes: LayerBytes | undefined;
  for (const layers of store.values()) bytes = layers.get(shortDigest) ?? bytes;
  const box = h('div', { id: 'layer-bytes', 'data-layer': shortDigest });
  box.append(byteBar(bytes, c.blobSize ?? 0, stateText(state) === 'present'));
  return [h('h3', {}, `Download (${shortDigest})`), box];
}

export function renderPullLayers(pullId: string, context: unknown, actors: Map<string, Actor>, store: ProgressStore, select: (id: string) => void): HTMLElement[] {
  const planned = ((context as { image?: { layers?: PlannedLayer[] } } | null)?.image?.layers ?? []);
  const table = h('table', { id: 'pull-layers' });
  for (const p of planned) {
    const id = layerActorId(p.chainId);
    const shortDigest = p.blobDigest.slice(7, 19);
    const layer = actors.get(id);
    const bytes = store.get(pullId)?.get(shortDigest);
    const barCell = h('td', { class: 'bytes' });
    barCell.append(byteBar(bytes, p.blobSize, layer !== undefined && stateText(layer.state) === 'present'));
    const tr = h('tr', { class: 'layer-row', 'data-actor': id, 'data-layer': shortDigest });
    tr.append(
      h('td', { class: 'digest' }, shortDigest),
      h('td', { class: 'layer-state' }, layer ? stateText(layer.state) : '—'),
      barCell,
      h('td', { class: 'layer-done' }, p.done ? 'in pull: done' : 'in pull: pending'),
    );
    tr.title = short(id);
    tr.onclick = () => select(id);
    table.append(tr);
  }
  return [h('h3', {}, `Layers (${planned.length})`), table];
}
