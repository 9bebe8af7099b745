// Turns an image's config and the user's `run` options into what the
// container runs: Docker's rules for Entrypoint/Cmd, environment, working
// directory and user. Pure.
import { BerthError } from '../errors.js';
import type { ImageRunConfig } from '../store/records.js';
import type { ContainerRunSpec } from '../machines/container.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunOptions {
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workdir?: string;
  autoRemove?: boolean;
}

export function resolveArgs(image: ImageRunConfig, opts: RunOptions): string[] {
  // A user entrypoint replaces the image's and drops the image's Cmd.
  const entrypoint = opts.entrypoint ?? image.Entrypoint ?? [];
  const cmd = opts.cmd && opts.cmd.length > 0 ? opts.cmd : opts.entrypoint ? [] : image.Cmd ?? [];
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) {
    throw new BerthError('invalid_argument', 'no command specified: the image has no Cmd or Entrypoint; give a command after the image name');
  }
  return args;
}

/** Image env, then user env; a later VAR=value replaces an earlier one. */
export function mergeEnv(imageEnv: string[], userEnv: string[], hostname: string): string[] {
  const out = new Map<string, string>();
  const put = (entry: string) => {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new BerthError('invalid_argument', `invalid environment variable "${entry}": use VAR=value`);
    out.set(entry.slice(0, eq), entry);
  };
  imageEnv.forEach(put);
  if (!out.has('PATH')) out.set('PATH', `PATH=${DEFAULT_PATH}`);
  out.set('HOSTNAME', `HOSTNAME=${hostname}`);
  userEnv.forEach(put);
  if (!out.has('HOME')) out.set('HOME', 'HOME=/root');
  return [...out.values()];
}

export function parseUser(user: string | undefined): { uid: number; gid: number } {
  if (!user || user === 'root' || user === '0') return { uid: 0, gid: 0 };
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!m) {
    throw new BerthError('invalid_argument', `user "${user}" is not supported yet: use a numeric uid[:gid]`);
  }
  const uid = Number(m[1]);
  return { uid, gid: m[2] !== undefined ? Number(m[2]) : uid };
}

export function buildRunSpec(
  image: ImageRunConfig,
  opts: RunOptions,
  hostname: string,
  lowerDirs: string[],
): ContainerRunSpec {
  const cwd = opts.workdir || image.WorkingDir || '/';
  if (!cwd.startsWith('/')) {
    throw new BerthError('invalid_argument', `the working directory "${cwd}" is invalid: it needs to be an absolute path`);
  }
  return {
    args: resolveArgs(image, opts),
    env: mergeEnv(image.Env ?? [], opts.env ?? [], hostname),
    cwd,
    user: parseUser(image.User),
    hostname,
    lowerDirs,
    autoRemove: opts.autoRemove ?? false,
  };
}
