// Lines of `rmi` and `image prune`: "Untagged: busybox:latest", "Deleted: sha256:…".
import type { ImageDeleteItem } from '../../src/protocol/methods.js';

export function deleteLines(items: ImageDeleteItem[], lower = false): string {
  return items
    .map((i) => (i.untagged !== undefined ? `${lower ? 'untagged' : 'Untagged'}: ${i.untagged}\n` : i.deleted !== undefined ? `${lower ? 'deleted' : 'Deleted'}: ${i.deleted}\n` : ''))
    .join('');
}
