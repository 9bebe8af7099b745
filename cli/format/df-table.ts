// `system df` output: Docker's summary rows (TYPE, TOTAL, ACTIVE, SIZE,
// RECLAIMABLE) and, with -v, the per-image / per-container tables.
import type { DiskUsage } from '../../src/protocol/fs-methods.js';
import { formatTable } from './table.js';
import { humanSize } from './size.js';
import { shortId } from './ids.js';
import { timeAgo } from './duration.js';
import { splitRepoTag } from './references.js';
import { psCommand } from './ellipsis.js';

export interface DfRow { Type: string; TotalCount: string; Active: string; Size: string; Reclaimable: string }

function reclaimable(bytes: number, total: number): string {
  return total > 0 ? `${humanSize(bytes)} (${Math.floor((bytes * 100) / total)}%)` : humanSize(bytes);
}

export function summaryRows(u: DiskUsage): DfRow[] {
  const sumLayers = (ids: Iterable<string>) => [...new Set(ids)].reduce((n, id) => n + (u.layerSizes[id] ?? 0), 0);
  const imagesSize = sumLayers(u.images.flatMap((i) => i.layers));
  const activeImages = u.images.filter((i) => i.containers > 0);
  const imagesFree = imagesSize - sumLayers(activeImages.flatMap((i) => i.layers));
  const running = (s: string) => s === 'running' || s === 'paused' || s === 'restarting';
  const containersSize = u.containers.reduce((n, c) => n + c.sizeRw, 0);
  const containersFree = u.containers.filter((c) => !running(c.state)).reduce((n, c) => n + c.sizeRw, 0);
  const volumesSize = u.volumes.reduce((n, v) => n + v.size, 0);
  const cacheSize = u.buildCache.reduce((n, b) => n + b.size, 0);
  return [
    { Type: 'Images', TotalCount: String(u.images.length), Active: String(activeImages.length), Size: humanSize(imagesSize), Reclaimable: reclaimable(imagesFree, imagesSize) },
    { Type: 'Containers', TotalCount: String(u.containers.length), Active: String(u.containers.filter((c) => running(c.state)).length), Size: humanSize(containersSize), Reclaimable: reclaimable(containersFree, containersSize) },
    { Type: 'Local Volumes', TotalCount: String(u.volumes.length), Active: String(u.volumes.filter((v) => v.links > 0).length), Size: humanSize(volumesSize), Reclaimable: reclaimable(u.volumes.filter((v) => v.links === 0).reduce((n, v) => n + v.size, 0), volumesSize) },
    { Type: 'Build Cache', TotalCount: String(u.buildCache.length), Active: String(u.buildCache.filter((b) => b.inUse).length), Size: humanSize(cacheSize), Reclaimable: humanSize(u.buildCache.filter((b) => !b.inUse).reduce((n, b) => n + b.size, 0)) },
  ];
}

export function summaryTable(u: DiskUsage): string {
  return formatTable(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], summaryRows(u).map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]));
}

export function verboseTables(u: DiskUsage, now = Date.now()): string {
  const imageRows = u.images.flatMap((i) => {
    const tags = i.repoTags.length > 0 ? i.repoTags.map((t) => splitRepoTag(t)) : [{ repository: '<none>', tag: '<none>' }];
    return tags.map((t) => [t.repository, t.tag, shortId(i.id), timeAgo(i.created, now), humanSize(i.size), humanSize(i.sharedSize), humanSize(i.size - i.sharedSize), String(i.containers)]);
  });
  const containerRows = u.containers.map((c) => [shortId(c.id), c.image, psCommand(c.command, true), '0', humanSize(c.sizeRw), timeAgo(c.created, now), c.status, c.name]);
  return [
    'Images space usage:\n\n',
    formatTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], imageRows),
    '\nContainers space usage:\n\n',
    formatTable(['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], containerRows),
    '\nLocal Volumes space usage:\n\n',
    formatTable(['VOLUME NAME', 'LINKS', 'SIZE'], u.volumes.map((v) => [v.name, String(v.links), humanSize(v.size)])),
    `\nBuild cache usage: ${humanSize(u.buildCache.reduce((n, b) => n + b.size, 0))}\n\n`,
    formatTable(['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED'], []),
  ].join('');
}
