// Resolves `-u user[:group]` (names or numbers) the way Docker does, from the
// image's /etc/passwd and /etc/group read out of its layer directories
// (upper-most first, honouring overlay whiteouts), before any rootfs exists.
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';

export interface ResolvedUser { uid: number; gid: number; additionalGids?: number[] }

/** The text of `path` as the merged overlay would show it, or null when it is absent or whited out. */
export function readLayeredFile(layerDirs: string[], path: string): string | null {
  for (const dir of layerDirs) {
    const full = join(dir, path);
    let st;
    try {
      st = lstatSync(full);
    } catch {
      continue;
    }
    if (st.isCharacterDevice() && st.rdev === 0) return null; // overlay whiteout: deleted in this layer
    return st.isFile() ? readFileSync(full, 'utf8') : null;
  }
  return null;
}

/** The colon-separated records of a passwd or group file. */
function records(text: string | null): string[][] {
  return (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

const NUMERIC = /^\d+$/;

/** --group-add: group names (from the image's /etc/group) or numbers, as gids. */
export function resolveGroups(names: string[], layerDirs: string[]): number[] {
  const groups = records(readLayeredFile(layerDirs, 'etc/group'));
  return names.map((n) => {
    const g = groups.find((r) => r[0] === n);
    if (g) return Number(g[2]);
    if (NUMERIC.test(n)) return Number(n);
    throw new BerthError('invalid_argument', `unable to find group ${n}: no matching entries in group file (the image's /etc/group has no group "${n}"; use a number)`);
  });
}

export function resolveUser(spec: string | undefined, layerDirs: string[]): ResolvedUser {
  if (!spec) return { uid: 0, gid: 0 };
  const colon = spec.indexOf(':');
  const userArg = colon >= 0 ? spec.slice(0, colon) : spec;
  const groupArg = colon >= 0 ? spec.slice(colon + 1) : undefined;
  if (userArg === '') throw new BerthError('invalid_argument', `invalid user "${spec}": use name|uid[:group|gid]`);
  const passwd = records(readLayeredFile(layerDirs, 'etc/passwd'));
  const groups = records(readLayeredFile(layerDirs, 'etc/group'));
  // Docker: a name, or a number that names an entry's uid; a number with no entry runs as that uid, gid 0.
  const entry = passwd.find((p) => p[0] === userArg) ?? (NUMERIC.test(userArg) ? passwd.find((p) => p[2] === userArg) : undefined);
  let uid: number;
  let gid = 0;
  if (entry) {
    uid = Number(entry[2]);
    gid = Number(entry[3] ?? 0);
  } else if (NUMERIC.test(userArg)) {
    uid = Number(userArg);
  } else {
    throw new BerthError('invalid_argument', `unable to find user ${userArg}: no matching entries in passwd file (the image's /etc/passwd has no user "${userArg}"; use a uid or a user the image defines)`);
  }
  if (groupArg !== undefined && groupArg !== '') {
    const group = groups.find((g) => g[0] === groupArg) ?? (NUMERIC.test(groupArg) ? groups.find((g) => g[2] === groupArg) : undefined);
    if (group) gid = Number(group[2]);
    else if (NUMERIC.test(groupArg)) gid = Number(groupArg);
    else throw new BerthError('invalid_argument', `unable to find group ${groupArg}: no matching entries in group file (the image's /etc/group has no group "${groupArg}")`);
    return { uid, gid };
  }
  // No group given: the user's supplementary groups from /etc/group membership.
  const name = entry?.[0];
  const additionalGids = name ? groups.filter((g) => (g[3] ?? '').split(',').includes(name)).map((g) => Number(g[2])).filter((g) => g !== gid) : [];
  return additionalGids.length > 0 ? { uid, gid, additionalGids } : { uid, gid };
}
