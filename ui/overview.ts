// The overview: every actor, grouped by kind, by actor-host worker thread, or
// both, with only the rows in view in the DOM (a virtualised list), so
// hundreds of actors cost a few dozen elements.
import { h, short, stateText, type Actor, type HostInfo } from './dom.js';

export type GroupBy = 'kind' | 'worker' | 'both';
type Row = { header: string } | { actor: Actor; group: string };

const ROW = 26;
const ENDED = 'ended (on no host)';
const GROUP_KEY = 'berth-ui-group-by';

export interface Overview {
  element: HTMLElement;
  /** rebuilds the rows after actors, hosts, the filter or the grouping changed */
  rebuild(): void;
  /** redraws the rows in view (e.g. the selection moved) */
  render(): void;
}

export function createOverview(opts: { actors: Map<string, Actor>; hosts: () => HostInfo[]; selected: () => string | null; onSelect: (id: string) => void }): Overview {
  const side = h('aside', { id: 'overview' });
  const filter = h('input', { id: 'filter', placeholder: 'filter actors…' });
  const groupBy = h('select', { id: 'group-by', title: 'group actors by' });
  for (const [v, label] of [['kind', 'group by kind'], ['worker', 'group by worker thread'], ['both', 'group by worker thread and kind']]) groupBy.append(h('option', { value: v }, label));
  groupBy.value = localStorage.getItem(GROUP_KEY) ?? 'kind';
  if (!groupBy.value) groupBy.value = 'kind'; // a stored value this page no longer offers
  const listBox = h('div', { id: 'actor-list' });
  const listInner = h('div', { class: 'inner' });
  listBox.append(listInner);
  side.append(h('h1', {}, 'Berth actors'), filter, groupBy, listBox);

  /** Where an actor runs: its host's thread while it lives, nowhere once it ended. */
  const hostGroup = (a: Actor): { label: string; order: number } => {
    if (a.status !== 'active') return { label: ENDED, order: Number.MAX_SAFE_INTEGER };
    const host = opts.hosts()[a.host];
    if (!host) return { label: `actor host ${a.host}`, order: a.host };
    return { label: `actor host ${host.index} · thread ${host.threadId}${host.up ? '' : ' (restarting)'}`, order: host.index };
  };
  const groupOf = (a: Actor): { label: string; order: number } => {
    const by = groupBy.value as GroupBy;
    if (by === 'kind') return { label: a.kind, order: 0 };
    const host = hostGroup(a);
    return by === 'worker' ? host : { label: `${host.label} › ${a.kind}`, order: host.order };
  };

  let rows: Row[] = [];
  const rebuild = () => {
    const q = filter.value.trim().toLowerCase();
    const groups = new Map<string, { order: number; list: Actor[] }>();
    for (const a of opts.actors.values()) {
      if (q && !a.actorId.toLowerCase().includes(q) && !stateText(a.state).includes(q)) continue;
      const g = groupOf(a);
      const entry = groups.get(g.label) ?? groups.set(g.label, { order: g.order, list: [] }).get(g.label)!;
      entry.list.push(a);
    }
    rows = [];
    const ordered = [...groups.entries()].sort(([la, a], [lb, b]) => a.order - b.order || la.localeCompare(lb));
    for (const [label, { list }] of ordered) {
      rows.push({ header: `${label} (${list.length})` });
      for (const actor of list.sort((a, b) => b.seq - a.seq)) rows.push({ actor, group: label });
    }
    listInner.style.height = `${rows.length * ROW}px`;
    render();
  };
  const render = () => {
    const first = Math.max(0, Math.floor(listBox.scrollTop / ROW) - 5);
    const last = Math.min(rows.length, first + Math.ceil(listBox.clientHeight / ROW) + 10);
    const out: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const r = rows[i];
      let e: HTMLElement;
      if ('header' in r) e = h('div', { class: 'group' }, r.header);
      else {
        const a = r.actor;
        const host = opts.hosts()[a.host];
        e = h('div', {
          class: `actor status-${a.status}${a.actorId === opts.selected() ? ' selected' : ''}`,
          'data-actor': a.actorId, 'data-state': stateText(a.state), 'data-group': r.group,
          'data-host': String(a.host), 'data-thread': host ? String(host.threadId) : '', title: a.actorId,
        });
        e.append(h('span', { class: 'id' }, short(a.actorId)), h('span', { class: 'state' }, stateText(a.state)));
      }
      e.style.top = `${i * ROW}px`;
      out.push(e);
    }
    listInner.replaceChildren(...out);
  };
  listBox.addEventListener('scroll', () => requestAnimationFrame(render));
  filter.addEventListener('input', rebuild);
  groupBy.addEventListener('change', () => {
    localStorage.setItem(GROUP_KEY, groupBy.value);
    listBox.scrollTop = 0;
    rebuild();
  });
  listInner.addEventListener('click', (ev) => {
    const id = (ev.target as HTMLElement).closest<HTMLElement>('.actor')?.dataset.actor;
    if (id) opts.onSelect(id);
  });
  return { element: side, rebuild, render };
}
