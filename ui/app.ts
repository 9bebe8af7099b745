// The state visualizer page: an overview of every actor (live over a
// websocket, batched per animation frame, virtualised), and for a selected
// actor its state chart, journal timeline and time travel.
import { drawChart, highlight, type MachineChart } from './chart.js';
import { api, h, mib, stateText, token, type Actor, type HostInfo } from './dom.js';
import { createOverview } from './overview.js';
import { recordProgress, renderLayerBytes, renderPullLayers, type ProgressStore, type ProgressUpdate } from './pull-layers.js';

interface Entry { seq: number; actorId: string; kind: string; event: { type: string; [k: string]: unknown }; state: unknown; context: unknown; status: string; time: string }

const actors = new Map<string, Actor>();
let hosts: HostInfo[] = [];
const progress: ProgressStore = new Map();
let charts: Record<string, MachineChart> = {};
let selected: string | null = null;
let history: Entry[] = [];
let viewing: number | null = null; // seq of the journal entry shown; null: live

const app = document.getElementById('app')!;
const overview = createOverview({ actors, hosts: () => hosts, selected: () => selected, onSelect: (id) => void select(id) });
const main = h('main', { id: 'detail' });
const title = h('h2', { id: 'actor-title' }, 'select an actor');
const mode = h('div', { id: 'mode' });
const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
svg.id = 'chart';
const extra = h('div', { id: 'extra' });
const timeline = h('ol', { id: 'timeline' });
const ctx = h('pre', { id: 'context' });
main.append(title, mode, svg, extra, h('h3', {}, 'Journal'), timeline, h('h3', {}, 'Context'), ctx);
app.append(overview.element, main);

// ---- detail ----
async function select(id: string): Promise<void> {
  selected = id;
  viewing = null;
  const a = actors.get(id);
  title.textContent = `${a?.kind ?? ''} ${id}`;
  overview.render();
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

/** Pull: its layers with live byte progress; layer: its download; container: resource figures while it runs. */
function renderExtra(a: Actor | undefined, context: unknown): void {
  extra.replaceChildren();
  if (a?.kind === 'pull') extra.append(...renderPullLayers(a.actorId, context, actors, progress, (id) => void select(id)));
  if (a?.kind === 'layer') extra.append(...renderLayerBytes(context, shown().state, progress));
  const c = (context ?? {}) as Record<string, unknown>;
  if (a?.kind === 'container' && typeof c.id === 'string' && stateText(a.state).startsWith('running')) extra.append(statsBox);
}

// ---- container resource figures (berth stats), polled while a running container is shown ----
const statsBox = h('table', { id: 'stats' });
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

// ---- live feed: states, layer progress and hosts, applied once per animation frame ----
type FeedMessage = { type: 'states'; actors: Actor[] } | { type: 'progress'; layers: ProgressUpdate[] } | { type: 'hosts'; hosts: HostInfo[] };
let queued: FeedMessage[] = [];
function applyBatch(): void {
  const batch = queued;
  queued = [];
  let touchedSelected = false;
  let progressOfSelected = false;
  let listChanged = false;
  // a pull's table shows its layers' states, which go on changing after the pull is done (storing their blobs)
  const selectedIsPull = actors.get(selected ?? '')?.kind === 'pull';
  let layerOfSelected = false;
  for (const msg of batch) {
    if (msg.type === 'states') {
      for (const a of msg.actors) {
        actors.set(a.actorId, a);
        if (a.actorId === selected) touchedSelected = true;
        else if (selectedIsPull && a.kind === 'layer') layerOfSelected = true;
      }
      listChanged = true;
    } else if (msg.type === 'hosts') {
      hosts = msg.hosts;
      document.body.dataset.hosts = hosts.map((x) => `${x.index}:${x.threadId}:${x.up ? 'up' : 'down'}`).join(' ');
      listChanged = true;
    } else {
      for (const u of msg.layers) {
        recordProgress(progress, u);
        if (u.pull === selected || actors.get(selected ?? '')?.kind === 'layer') progressOfSelected = true;
      }
    }
  }
  if (listChanged) overview.rebuild();
  if ((progressOfSelected || layerOfSelected) && !touchedSelected) renderDetail();
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
    if (queued.length === 0) requestAnimationFrame(applyBatch);
    queued.push(JSON.parse(String(m.data)) as FeedMessage);
  };
  ws.onopen = () => document.body.classList.add('connected');
  ws.onclose = () => { document.body.classList.remove('connected'); setTimeout(connect, 1000); };
}

async function boot(): Promise<void> {
  charts = await api<Record<string, MachineChart>>('/api/machines');
  connect();
  for (const a of await api<Actor[]>('/api/actors')) if (!actors.has(a.actorId)) actors.set(a.actorId, a);
  overview.rebuild();
  document.body.classList.add('ready');
}
void boot();
