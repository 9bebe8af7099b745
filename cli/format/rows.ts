// Docker's --format for listings: "table" (the default columns), "table
// TEMPLATE" (a header row, then aligned columns), "json" (one object per
// line) or a plain TEMPLATE (one line per row, no header).
import { compileTemplate } from './template.js';
import { formatTable } from './table.js';

export interface RowFormat<R> {
  /** The default "table …" template. */
  defaultTable: string;
  /** Header text per field name, e.g. { ID: 'CONTAINER ID' }; a method field gets a function returning its title. */
  headers: Record<string, unknown>;
  /** What `json` prints for a row (default: the row itself). */
  toJson?: (row: R) => unknown;
}

export function formatRows<R extends object>(rows: R[], format: string | undefined, spec: RowFormat<R>): string {
  const trimmed = (format ?? '').trim();
  if (trimmed === 'json') return rows.map((r) => `${JSON.stringify(spec.toJson ? spec.toJson(r) : r)}\n`).join('');
  const chosen = trimmed === '' || trimmed === 'table' ? spec.defaultTable : trimmed;
  if (chosen.startsWith('table')) {
    const body = chosen.slice('table'.length).trim();
    const tpl = compileTemplate(body);
    const header = tpl.render(spec.headers).split('\t');
    return formatTable(header, rows.map((r) => tpl.render(r).split('\t')));
  }
  const tpl = compileTemplate(format ?? '');
  return rows.map((r) => `${tpl.render(r)}\n`).join('');
}
