// berth cp [-a] [-L] CONTAINER:SRC DEST|-  and  berth cp [-a] [-L] SRC|- CONTAINER:DEST.
// The container side runs in the daemon (stat, archive, extract inside the
// container's root); the local side here, with the same code and Docker's
// rules (src/fs/copy-plan.ts) for where things land.
import { once } from 'node:events';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { extractArchive, packPath, statPath } from '../../../src/fs/copy-archive.js';
import { planCopy } from '../../../src/fs/copy-plan.js';
import type { BerthClient } from '../../client.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { checkStdoutTarget } from '../../stream-out.js';

interface Spec { container?: string; path: string }

const LOCAL = 'the local file system';

/** "name:path" names a container path unless the part before ":" looks like a local path. */
function parseSpec(arg: string): Spec {
  const i = arg.indexOf(':');
  if (i <= 0 || arg.slice(0, i).includes('/') || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** Keeps "dir/" and "dir/." that path.resolve would drop. */
function localPath(p: string): string {
  const abs = resolve(p);
  if (p.endsWith('/.')) return `${abs}/.`;
  if (p.endsWith('/') && abs !== '/') return `${abs}/`;
  return abs;
}

function containerPath(spec: Spec): string {
  if (spec.path === '') throw new BerthError('invalid_argument', `no path given after "${spec.container}:"; write CONTAINER:PATH`);
  return spec.path.startsWith('/') ? spec.path : `/${spec.path}`;
}

async function copyOut(client: BerthClient, src: Spec, dest: string, inv: Invocation): Promise<void> {
  const id = src.container!;
  const path = containerPath(src);
  const followLink = inv.opts.followLink === true;
  const signal = cancelOnInterrupt();
  if (dest === '-') {
    checkStdoutTarget(undefined, 'a tar archive');
    await client.call('container.archive', { id, path, followLink }, {
      signal,
      onEvent: (ev) => {
        if (ev.kind === 'data' && !process.stdout.write(ev.data)) return once(process.stdout, 'drain').then(() => undefined);
      },
    });
    return;
  }
  const stat = await client.call('container.stat', { id, path, followLink });
  if (!stat) throw new BerthError('not_found', `Could not find the file ${path} in container ${id}`);
  const target = localPath(dest);
  const local = await statPath('/', target, { followLink: true, where: LOCAL }).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'not_found') return null;
    throw err;
  });
  const plan = planCopy(path, stat, { path: target, stat: local, where: LOCAL });
  const owner = inv.opts.archive === true ? undefined : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const pipe = new PassThrough();
  const extracting = extractArchive('/', plan.dir, pipe, { rename: plan.rename, owner, where: LOCAL });
  extracting.catch(() => {}); // awaited below
  try {
    await client.call('container.archive', { id, path, followLink }, {
      signal,
      onEvent: (ev) => {
        if (ev.kind === 'data' && !pipe.write(ev.data)) return once(pipe, 'drain').then(() => undefined);
      },
    });
    pipe.end();
  } catch (err) {
    pipe.destroy();
    throw err;
  }
  await extracting;
}

async function copyIn(client: BerthClient, src: string, dest: Spec, inv: Invocation): Promise<void> {
  const id = dest.container!;
  const path = containerPath(dest);
  const archive = inv.opts.archive === true;
  const signal = cancelOnInterrupt();
  const there = await client.call('container.stat', { id, path, followLink: true });
  if (src === '-') {
    if (process.stdin.isTTY) throw new BerthError('invalid_argument', 'cp from "-" reads a tar archive from stdin, but stdin is a terminal; pipe one in');
    if (!there?.isDir) throw new BerthError('invalid_argument', `destination "${path}" must be a directory in container ${id} when copying a tar stream from stdin`);
    await client.call('container.extract', { id, dir: path, archive }, { upload: process.stdin, signal });
    return;
  }
  const source = localPath(src);
  const { stat, tar } = await packPath('/', source, { followLink: inv.opts.followLink === true, where: LOCAL });
  const plan = planCopy(source, stat, { path, stat: there, where: `container ${id}` });
  await client.call('container.extract', { id, dir: plan.dir, rename: plan.rename, archive }, { upload: tar, signal });
}

export default async function cp(inv: Invocation): Promise<number> {
  const [a, b] = inv.args;
  const src = a === '-' ? { path: '-' } : parseSpec(a);
  const dest = b === '-' ? { path: '-' } : parseSpec(b);
  if (src.container && dest.container) throw new BerthError('invalid_argument', 'copying between containers is not supported; copy to the local file system first');
  if (!src.container && !dest.container) throw new BerthError('invalid_argument', 'one of SRC and DEST must be a container path, written CONTAINER:PATH');
  if (src.path === '-' && dest.path === '-') throw new BerthError('invalid_argument', 'SRC and DEST cannot both be "-"');
  await withDaemon(inv, (client) => (src.container ? copyOut(client, src, dest.path, inv) : copyIn(client, src.path, dest, inv)));
  return 0;
}
