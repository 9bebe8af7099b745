// --filter KEY=VALUE (repeatable) into Docker's filter map { key: [values] }.
import { BerthError } from '../../../src/errors.js';

export function parseFilters(entries: string[] | undefined): Record<string, string[]> | undefined {
  if (!entries || entries.length === 0) return undefined;
  const filters: Record<string, string[]> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new BerthError('invalid_argument', `bad format of filter "${entry}" (expected name=value, e.g. --filter status=exited)`);
    }
    const key = entry.slice(0, eq).trim().toLowerCase();
    (filters[key] ??= []).push(entry.slice(eq + 1));
  }
  return filters;
}
