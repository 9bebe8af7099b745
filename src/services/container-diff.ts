// `diff`: the container's changes, read from its overlay upper directory.
// A whiteout (char device 0/0) is a deletion; an opaque directory hides every
// lower entry under it (reported deleted unless re-created); anything else is
// Added when no image layer has it, Changed when one does. Sorted by path, as
// Docker prints them.
import { lstat, readdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import type { MetadataDb } from '../store/db.js';
import type { ChangeRow } from '../protocol/fs-methods.js';
import { OVERLAY_OPAQUE_XATTR } from '../image/layer-entries.js';
import { containerFs, type FsPaths } from './container-root.js';

const CHANGED = 0, ADDED = 1, DELETED = 2;

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await lstat(p);
  } catch {
    return null;
  }
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

async function isOpaque(dir: string): Promise<boolean> {
  const { lgetxattr } = await import('../native/addon.js');
  return lgetxattr(dir, OVERLAY_OPAQUE_XATTR)?.toString() === 'y';
}

/** The lower layers' view of `rel`: whether any layer (top first) shows it, stopping at whiteouts and opaque dirs. */
async function inLowers(lowers: string[], rel: string): Promise<boolean> {
  for (const dir of lowers) {
    const st = await lstatOrNull(join(dir, rel));
    if (st) return !isWhiteout(st);
  }
  return false;
}

async function lowerChildren(lowers: string[], rel: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const dir of lowers) {
    const entries = await readdir(join(dir, rel)).catch(() => [] as string[]);
    for (const n of entries) names.add(n);
  }
  return names;
}

export async function containerChanges(db: MetadataDb, paths: FsPaths, ref: string): Promise<ChangeRow[]> {
  const fs = containerFs(db, paths, ref);
  const upper = fs.paths.upper;
  const lowers = fs.use.lowerDirs;
  const rows: ChangeRow[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = await readdir(join(upper, rel)).catch(() => [] as string[]);
    for (const name of names) {
      const child = `${rel}/${name}`;
      const st = await lstatOrNull(join(upper, child));
      if (!st) continue;
      if (isWhiteout(st)) {
        rows.push({ Path: child, Kind: DELETED });
        continue;
      }
      rows.push({ Path: child, Kind: (await inLowers(lowers, child)) ? CHANGED : ADDED });
      if (!st.isDirectory()) continue;
      if (await isOpaque(join(upper, child))) {
        const present = new Set(await readdir(join(upper, child)));
        for (const hidden of await lowerChildren(lowers, child)) if (!present.has(hidden)) rows.push({ Path: `${child}/${hidden}`, Kind: DELETED });
      }
      await walk(child);
    }
  };
  await walk('');
  return rows.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}
