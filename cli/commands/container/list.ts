// berth ps [-a] [-q] [-n N] [-l] [-s] [--no-trunc] [--filter KEY=VALUE]... [--format F]
import type { ContainerListParams } from '../../../src/protocol/container-methods.js';
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { containerIds } from '../../format/container-table.js';
import { formatPs } from '../../format/ps-format.js';
import { parseFilters } from './filters.js';

export function toListParams(opts: Record<string, unknown>): ContainerListParams {
  const params: ContainerListParams = {};
  if (opts.all === true) params.all = true;
  const limit = opts.latest === true ? 1 : (opts.last as number | undefined);
  if (limit !== undefined && limit >= 0) params.limit = limit;
  const filters = parseFilters(opts.filter as string[] | undefined);
  if (filters) params.filters = filters;
  return params;
}

export default async function list(inv: Invocation): Promise<number> {
  const truncate = inv.opts.trunc !== false;
  const params = toListParams(inv.opts);
  const containers = await withDaemon(inv, (client) => client.call('container.list', params));
  if (inv.opts.quiet) {
    process.stdout.write(containerIds(containers, truncate));
    return 0;
  }
  process.stdout.write(formatPs(containers, { truncate, format: inv.opts.format as string | undefined, size: inv.opts.size === true }));
  return 0;
}
