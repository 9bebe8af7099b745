// `berth ps` as Docker prints it.
import type { ContainerSummary } from '../../src/protocol/methods.js';
import { formatTable } from './table.js';
import { shortId } from './ids.js';
import { psCommand } from './ellipsis.js';
import { timeAgo } from './duration.js';
import { portsColumn } from '../../src/views/container-network-view.js';

export const CONTAINER_HEADER = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'];

export function containerRow(c: ContainerSummary, truncate: boolean, now: number): string[] {
  const image = truncate && c.image.startsWith('sha256:') ? shortId(c.image) : c.image;
  return [
    truncate ? shortId(c.id) : c.id,
    image,
    psCommand(c.command ?? '', truncate),
    timeAgo(c.created, now),
    c.status ?? '',
    portsColumn(c.ports ?? []),
    (c.name ?? '').replace(/^\//, ''),
  ];
}

export function containerTable(list: ContainerSummary[], truncate = true, now = Date.now()): string {
  return formatTable(CONTAINER_HEADER, list.map((c) => containerRow(c, truncate, now)));
}

export function containerIds(list: ContainerSummary[], truncate = true): string {
  return list.map((c) => `${truncate ? shortId(c.id) : c.id}\n`).join('');
}
