// Path safety for layer extraction. Entry names are normalised lexically and
// must stay inside the layer; every parent directory is checked with lstat
// so nothing is ever written through a symlink (no path is handed to the
// kernel for resolution past a component we have not checked).
// File system calls are synchronous: extraction runs on a pool worker
// thread, and sync calls avoid a trip through libuv's small shared thread
// pool (where they would queue behind other layers' big writes) per entry.
import { lstatSync, mkdirSync, rmSync, unlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';

export function unsafe(entry: string, why: string): BerthError {
  return new BerthError('unsafe_layer', `layer entry "${entry}" ${why}; the layer was not unpacked (it may be malicious)`);
}

/**
 * Splits an entry name into path components inside the layer root.
 * Absolute names and names whose ".." climbs above the root are unsafe;
 * "./" prefixes and "a/../b" are resolved lexically. [] is the root itself.
 */
export function entryComponents(name: string, opts: { allowAbsolute?: boolean; what?: string } = {}): string[] {
  const what = opts.what ?? name;
  if (name.includes('\0')) throw unsafe(what, 'contains a NUL byte');
  let rest = name;
  if (rest.startsWith('/')) {
    if (!opts.allowAbsolute) throw unsafe(what, 'has an absolute path');
    rest = rest.replace(/^\/+/, '');
  }
  const out: string[] = [];
  for (const c of rest.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length === 0) throw unsafe(what, 'uses ".." to escape the layer root');
      out.pop();
      continue;
    }
    out.push(c);
  }
  return out;
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Makes sure every parent of `components` under `root` is a real directory
 * (creating missing ones with mode 0755) and none is a symlink. Returns the
 * absolute path of the entry. With `create: false` missing parents are an error.
 */
export async function safeParents(root: string, components: string[], entry: string, create = true): Promise<string> {
  let dir = root;
  for (let i = 0; i < components.length - 1; i++) {
    dir = join(dir, components[i]!);
    const st = lstatOrUndefined(dir);
    if (st === undefined) {
      if (!create) throw unsafe(entry, `refers to ${components.slice(0, i + 1).join('/')}, which does not exist in the layer`);
      mkdirSync(dir, { mode: 0o755 });
      continue;
    }
    if (st.isSymbolicLink()) throw unsafe(entry, `would be written through the symlink ${components.slice(0, i + 1).join('/')}`);
    if (!st.isDirectory()) throw unsafe(entry, `has a parent ${components.slice(0, i + 1).join('/')} that is not a directory`);
  }
  return join(root, ...components);
}

/**
 * Clears the way for a new entry at `path`: an existing directory is kept
 * when the new entry is a directory too (returns 'keep-dir'), anything else
 * already there is removed (a later entry replaces an earlier one).
 */
export async function clearEntry(path: string, newIsDir: boolean): Promise<'keep-dir' | 'clear'> {
  const st = lstatOrUndefined(path);
  if (st === undefined) return 'clear';
  if (st.isDirectory()) {
    if (newIsDir) return 'keep-dir';
    rmSync(path, { recursive: true, force: true });
    return 'clear';
  }
  unlinkSync(path);
  return 'clear';
}

export { lstatOrUndefined };
