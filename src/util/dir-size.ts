// Bytes held by a directory tree: the apparent sizes of its files, symlinks
// not followed, each hard-linked inode counted once. Missing trees are 0.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function dirSize(root: string): Promise<number> {
  const seen = new Set<string>();
  const walk = async (path: string): Promise<number> => {
    let st;
    try {
      st = await lstat(path);
    } catch {
      return 0;
    }
    if (!st.isDirectory()) {
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) return 0;
        seen.add(key);
      }
      return st.isFile() || st.isSymbolicLink() ? st.size : 0;
    }
    let total = 0;
    for (const name of await readdir(path).catch(() => [] as string[])) total += await walk(join(path, name));
    return total;
  };
  return walk(root);
}
