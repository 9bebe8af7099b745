// The directory that holds unpacked layers (`<root>/layers`). It carries
// ext4's "top of directory hierarchies" flag (chattr +T), as /home does: each
// layer is a tree of its own, and with the flag the Orlov allocator puts each
// new layer directory (and so its files) in a block group chosen afresh
// instead of the parent's group. Without it every layer lands in the same
// group, beside the inodes of the layers just removed; ext4 without a journal
// skips recently deleted inodes one by one on every allocation, which made an
// unpack right after `rmi` spend up to a third of its CPU in that scan.
// Filesystems without the flag ignore it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { markTopDir } from '../native/addon.js';

export async function prepareLayersDir(root: string, log: (line: string) => void): Promise<void> {
  const dir = join(root, 'layers');
  await mkdir(dir, { recursive: true });
  try {
    markTopDir(dir);
  } catch (err) {
    log(`berthd: cannot mark ${dir} as a top directory (layers then share its block group): ${(err as Error).message}`);
  }
}
