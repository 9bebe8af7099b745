// `berth images` as Docker prints it: one row per tag, untagged images as <none>.
import type { ImageSummary } from '../../src/protocol/methods.js';
import { formatTable } from './table.js';
import { shortId } from './ids.js';
import { timeAgo } from './duration.js';
import { humanSize } from './size.js';
import { splitRepoTag } from './references.js';

export const IMAGE_HEADER = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'];

export function imageRows(img: ImageSummary, truncate: boolean, now: number): string[][] {
  const id = truncate ? shortId(img.id) : img.id;
  const created = timeAgo(img.created, now);
  const size = humanSize(img.size);
  const names = img.repoTags.length > 0 ? img.repoTags.map(splitRepoTag) : [{ repository: '<none>', tag: '<none>' }];
  return names.map(({ repository, tag }) => [repository, tag, id, created, size]);
}

export function imageTable(list: ImageSummary[], truncate = true, now = Date.now()): string {
  return formatTable(IMAGE_HEADER, list.flatMap((img) => imageRows(img, truncate, now)));
}

/** `images -q`: one id per row, like Docker (an image with two tags is listed twice). */
export function imageIds(list: ImageSummary[], truncate = true): string {
  return list
    .flatMap((img) => Array<string>(Math.max(1, img.repoTags.length)).fill(truncate ? shortId(img.id) : img.id))
    .map((id) => `${id}\n`)
    .join('');
}
