// `berth top`: the process table with the titles ps printed, in 20-wide
// columns like Docker's tabwriter(minwidth 20, padding 3).
import type { TopResult } from '../../src/protocol/container-methods.js';

const MIN_WIDTH = 20;
const PADDING = 3;

export function topTable(top: TopResult): string {
  const rows = [top.titles, ...top.processes];
  const last = top.titles.length - 1;
  const widths = top.titles.map((_, col) => Math.max(MIN_WIDTH, ...rows.map((r) => [...(r[col] ?? '')].length + PADDING)));
  return rows.map((r) => {
    // A row with more cells than titles (a CMD with spaces split by ps) keeps the rest in the last column.
    const cells = r.length > top.titles.length ? [...r.slice(0, last), r.slice(last).join(' ')] : r;
    return cells.map((c, i) => (i === last ? c : c.padEnd(widths[i] + c.length - [...c].length))).join('').trimEnd() + '\n';
  }).join('');
}
