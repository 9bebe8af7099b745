// The state visualizer page: an overview of every actor (live over a
// websocket, batched per animation frame, virtualised), and for a selected
// actor its state chart, journal timeline and time travel.
import { drawChart, highlight, type MachineChart } from './chart.js';

interface Actor { actorId: string; kind: string; seq: number; event: string; state: unknown; status: string; time: string; context: unknown }
interface Entry { seq: number; actorId: string; kind: string; event: { type: string; [k: string]: unknown }; state: unknown; context: unknown; status: string; time: string }

const token = new URLSearchParams(location.search).get('token') ?? '';
const api = async <T>(path: string): Promise<T> => {
  const r = await fetch(`${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<T>;
};
const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
export const stateText = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => `${k}.${stateText(x)}`).join(',') : String(v));
const short = (id: string) => (id.length > 40 ? id.slice(0, 37) + '…' : id);

const actors = new Map<string, Actor>();
let charts: Record<string, MachineChart> = {};
let selected: string | null = null;
let history: Entry[] = [];
let viewing: number | null = null; // seq of the journal entry shown; null: live

const app = document.getElementById('app')!;
const side = h('aside', { id: 'overview' });
const filter = h('input', { id: 'filter', placeholder: 'filter actors…' });
const listBox = h('div', { id: 'actor-list' });
const listInner = h('div', { class: 'inner' });
listBox.append(listInner);
side.append(h('h1', {}, 'Berth actors'), filter, listBox);
const main = h('main', { id: 'detail' });
const title = h('h2', { id: 'actor-title' }, 'select an actor');
const mode = h('div', { id: 'mode' });
const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
svg.id = 'chart';
const extra = h('div', { id: 'extra' });
const timeline = h('ol', { id: 'timeline' });
const ctx = h('pre', { id: 'context' });
main.append(title, mode, svg, extra, h('h3', {}, 'Journal'), timeline, h('h3', {}, 'Context'), ctx);
app.append(side, main);

// ---- overview: grouped by kind, only visible rows in the DOM ----
const ROW = 26;
let rows: ({ header: string } | Actor)[] = [];
function rebuildRows(): void {
  const q = filter.value.trim().toLowerCase();
  const byKind = new Map<string, Actor[]>();
  for (const a of actors.values()) {
    if (q && !a.actorId.toLowerCase().includes(q) && !stateText(a.state).includes(q)) continue;
    byKind.set(a.kind, [...(byKind.get(a.kind) ?? []), a]);
  }
  rows = [];
  for (const kind of [...byKind.keys()].sort()) {
    const list = byKind.get(kind)!.sort((a, b) => b.seq - a.seq);
    rows.push({ header: `${kind} (${list.length})` }, ...list);
  }
  listInner.style.height = `${rows.length * ROW}px`;
  renderRows();
}
function renderRows(): void {
  const first = Math.max(0, Math.floor(listBox.scrollTop / ROW) - 5);
  const last = Math.min(rows.length, first + Math.ceil(listBox.clientHeight / ROW) + 10);
  const out: HTMLElement[] = [];
  for (let i = first; i < last; i++) {
    const r = rows[i];
    const e = 'header' in r ? h('div', { class: 'group' }, r.header) : h('div', { class: `actor status-${r.status}${r.actorId === selected ? ' selected' : ''}`, 'data-actor': r.actorId, 'data-state': stateText(r.state), title: r.actorId });
    if (!('header' in r)) e.append(h('span', { class: 'id' }, short(r.actorId)), h('span', { class: 'state' }, stateText(r.state)));
    e.style.top = `${i * ROW}px`;
    out.push(e);
  }
  listInner.replaceChildren(...out);
}
listBox.addEventListener('scroll', () => requestAnimationFrame(renderRows));
filter.addEventListener('input', rebuildRows);
listInner.addEventListener('click', (ev) => {
  const id = (ev.target as HTMLElement).closest<HTMLElement>('.actor')?.dataset.actor;
  if (id) void select(id);
});

// ---- detail ----
async function select(id: string): Promise<void> {
  selected = id;
  viewing = null;
  const a = actors.get(id);
  title.textContent = `${a?.kind ?? ''} ${id}`;
  renderRows();
  const chart = a && charts[a.kind];
  if (chart) await drawChart(svg, chart);
  history = await api<Entry[]>(`/api/journal?actor=${encodeURIComponent(id)}`);
  renderDetail();
}

function shown(): { state: unknown; context: unknown; status: string; prev?: Entry; cur?: Entry } {
  const a = actors.get(selected ?? '');
  const idx = viewing === null ? history.length - 1 : history.findIndex((e) => e.seq === viewing);
  const cur = history[idx];
  if (viewing !== null && cur) return { state: cur.state, context: cur.context, status: cur.status, prev: history[idx - 1], cur };
  return { state: a?.state ?? cur?.state, context: a?.context ?? cur?.context, status: a?.status ?? cur?.status ?? '', prev: history[idx - 1], cur };
}

function payloadSummary(ev: Entry['event']): string {
  const rest = Object.entries(ev).filter(([k]) => k !== 'type');
  const s = rest.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
  return s.length > 80 ? s.slice(0, 77) + '…' : s;
}

function renderDetail(animate = false): void {
  const a = actors.get(selected ?? '');
  const chart = a && charts[a.kind];
  const s = shown();
  mode.replaceChildren();
  mode.className = viewing === null ? 'live' : 'past';
  mode.append(h('span', { id: 'mode-label' }, viewing === null ? `live — ${stateText(s.state)} (${s.status})` : `journal #${viewing} — ${stateText(s.state)} (read-only)`));
  if (viewing !== null) {
    const back = h('button', { id: 'back-live' }, 'back to live');
    back.onclick = () => { viewing = null; renderDetail(); };
    mode.append(back);
  }
  if (chart) highlight(svg, chart.root, s.state, animate && s.prev && s.cur ? { from: s.prev.state, event: s.cur.event.type } : undefined);
  svg.dataset.current = stateText(s.state);
  timeline.replaceChildren(
    ...history.map((e, i) => {
      const li = h('li', { 'data-seq': String(e.seq), class: e.seq === (viewing ?? history[history.length - 1]?.seq) ? 'current' : '' });
      li.append(
        h('span', { class: 'time' }, e.time.slice(11, 23)),
        h('span', { class: 'event' }, e.event.type),
        h('span', { class: 'move' }, `${i > 0 ? stateText(history[i - 1].state) : '∅'} → ${stateText(e.state)}`),
        h('span', { class: 'payload' }, payloadSummary(e.event)),
      );
      li.onclick = () => { viewing = e.seq; renderDetail(); };
      return li;
    }),
  );
  ctx.textContent = JSON.stringify(s.context, null, 2);
  renderExtra(a, s.context);
}

/** Pull: per-layer progress and links to the layer actors; container: resource figures when present. */
function renderExtra(a: Actor | undefined, context: unknown): void {
  extra.replaceChildren();
  const c = (context ?? {}) as Record<string, unknown>;
  if (a?.kind === 'pull') {
    // layer actors are named layer/<first 16 hex of the chain id> (src/actors/pull-actor.ts)
    const image = (c.image ?? {}) as { layers?: { chainId: string; done?: boolean }[] };
    const ids = new Set((image.layers ?? []).map((l) => `layer/${l.chainId.slice(l.chainId.indexOf(':') + 1).slice(0, 16)}`));
    const layers = [...actors.values()].filter((x) => ids.has(x.actorId));
    const table = h('table', { id: 'pull-layers' });
    for (const l of layers) {
      // the journal records per-layer milestones (the pull's LAYER_DONE), not byte counts
      const lc = (l.context ?? {}) as { blobSize?: number };
      const planned = image.layers?.find((p) => l.actorId.endsWith(p.chainId.slice(p.chainId.indexOf(':') + 1).slice(0, 16)));
      const tr = h('tr', { class: 'layer-row', 'data-actor': l.actorId });
      tr.append(h('td', {}, short(l.actorId)), h('td', {}, stateText(l.state)), h('td', {}, lc.blobSize ? `${(lc.blobSize / 1024).toFixed(0)} KiB` : ''), h('td', { class: 'layer-done' }, planned?.done ? 'in pull: done' : 'in pull: pending'));
      tr.onclick = () => void select(l.actorId);
      table.append(tr);
    }
    extra.append(h('h3', {}, `Layers (${layers.length})`), table);
  }
  if (a?.kind === 'container' && typeof c.id === 'string' && stateText(a.state).startsWith('running')) extra.append(statsBox);
}

// ---- container resource figures (berth stats), polled while a running container is shown ----
const statsBox = h('table', { id: 'stats' });
const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
setInterval(() => {
  const a = actors.get(selected ?? '');
  const id = (a?.context as { id?: string } | null)?.id;
  if (!statsBox.isConnected || !id) return;
  api<Record<string, number>>(`/api/stats?container=${encodeURIComponent(id)}`).then((s) => {
    const rows: [string, string][] = [
      ['CPU', `${s.cpuPercent.toFixed(2)}%`], ['Memory', `${mib(s.memoryUsage)} / ${mib(s.memoryLimit)}`], ['PIDs', String(s.pids)],
      ['Block I/O', `${mib(s.blockRead)} / ${mib(s.blockWrite)}`], ['Net I/O', `${s.netRx} B / ${s.netTx} B`],
    ];
    statsBox.replaceChildren(...rows.map(([k, v]) => { const tr = h('tr'); tr.append(h('th', {}, k), h('td', {}, v)); return tr; }));
  }, () => statsBox.replaceChildren());
}, 1500);

// ---- live feed ----
let queued: Actor[] = [];
function applyBatch(): void {
  const batch = queued;
  queued = [];
  let touchedSelected = false;
  for (const a of batch) {
    actors.set(a.actorId, a);
    if (a.actorId === selected) touchedSelected = true;
  }
  rebuildRows();
  if (touchedSelected && selected) {
    void api<Entry[]>(`/api/journal?actor=${encodeURIComponent(selected)}`).then(async (hs) => {
      const firstDraw = history.length === 0 && !svg.querySelector('g.state');
      history = hs;
      const a = actors.get(selected!);
      if (firstDraw && a && charts[a.kind]) await drawChart(svg, charts[a.kind]);
      if (viewing === null) renderDetail(true);
      else renderDetail();
    });
  }
}
function connect(): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { type: string; actors: Actor[] };
    if (msg.type !== 'states') return;
    if (queued.length === 0) requestAnimationFrame(applyBatch);
    queued.push(...msg.actors);
  };
  ws.onopen = () => document.body.classList.add('connected');
  ws.onclose = () => { document.body.classList.remove('connected'); setTimeout(connect, 1000); };
}

async function boot(): Promise<void> {
  charts = await api<Record<string, MachineChart>>('/api/machines');
  connect();
  for (const a of await api<Actor[]>('/api/actors')) if (!actors.has(a.actorId)) actors.set(a.actorId, a);
  rebuildRows();
  document.body.classList.add('ready');
}
void boot();
