// --filter for the prune commands: until (durations and times resolved here,
// as Docker's CLI does) and label / label!.
import { resolveTimeArg } from '../format/time-arg.js';
import { parseFilters } from './container/filters.js';

export function pruneFilters(entries: unknown): Record<string, string[]> | undefined {
  const filters = parseFilters(entries as string[] | undefined);
  if (filters?.until) filters.until = filters.until.map((v) => resolveTimeArg('--filter until', v));
  return filters;
}
