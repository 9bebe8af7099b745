// Wire wrapper for the container file system calls (cp, diff, commit).
import { BerthError } from '../errors.js';
import type { ContainerFsOps } from '../services/container-fs-ops.js';
import type { MethodName } from '../protocol/methods.js';
import type { Handler } from './call-context.js';
import { optBool, optString, optStrings, str } from './params.js';

function rename(p: Record<string, unknown>): { from: string; to: string } | undefined {
  const r = p.rename as { from?: unknown; to?: unknown } | undefined;
  if (r === undefined || r === null) return undefined;
  if (typeof r !== 'object' || typeof r.from !== 'string' || typeof r.to !== 'string') throw new BerthError('invalid_argument', 'parameter "rename" must be {from, to} strings');
  return { from: r.from, to: r.to };
}

export function fsHandlers(f: ContainerFsOps): Partial<Record<MethodName, Handler>> {
  return {
    'container.stat': (p) => f.stat({ id: str(p, 'id'), path: str(p, 'path'), followLink: optBool(p, 'followLink') }),
    'container.archive': (p, call) => f.archive({ id: str(p, 'id'), path: str(p, 'path'), followLink: optBool(p, 'followLink') }, call),
    'container.extract': (p, call) =>
      f.extract({ id: str(p, 'id'), dir: str(p, 'dir'), rename: rename(p), archive: optBool(p, 'archive'), noOverwriteDirNonDir: optBool(p, 'noOverwriteDirNonDir') }, call),
    'container.diff': (p) => f.diff(str(p, 'id')),
    'system.df': () => f.df(),
    'container.commit': (p, call) =>
      f.commit({ id: str(p, 'id'), repository: optString(p, 'repository'), message: optString(p, 'message'), author: optString(p, 'author'), changes: optStrings(p, 'changes'), pause: optBool(p, 'pause') }, call),
  };
}
