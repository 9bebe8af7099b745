// Turns an image's config and the user's `run` options into what the
// container runs: Docker's rules for Entrypoint/Cmd, environment, working
// directory and user. Pure.
import { BerthError } from '../errors.js';
import type { ImageRunConfig } from '../store/records.js';
import type { ContainerRunSpec } from '../machines/container.js';
import { parseRestartPolicy } from '../machines/restart-policy.js';
import { parseSignal } from './signals.js';
import { resolveUser } from './user-lookup.js';
import type { HostOptions } from './host-options.js';
import { resolveHealthConfig, type ImageHealthcheck } from '../machines/health-config.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunOptions {
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workdir?: string;
  autoRemove?: boolean;
  hostname?: string;
  domainname?: string;
  user?: string;
  tty?: boolean;
  openStdin?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  restart?: string;
  stopSignal?: string;
  stopTimeout?: number;
  logDriver?: 'local' | 'json-file' | 'none';
  logOpts?: Record<string, string>;
  host?: HostOptions;
  healthcheck?: ImageHealthcheck;
  noHealthcheck?: boolean;
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
  const restartPolicy = parseRestartPolicy(opts.restart);
  if (opts.autoRemove && restartPolicy.name !== 'no') {
    throw new BerthError('invalid_argument', 'Conflicting options: --restart and --rm: a container that removes itself cannot be restarted');
  }
  if (opts.stopSignal !== undefined) parseSignal(opts.stopSignal);
  if (opts.logDriver !== undefined && !['local', 'json-file', 'none'].includes(opts.logDriver)) {
    throw new BerthError('invalid_argument', `log driver "${opts.logDriver}" is not supported: use local, json-file or none`);
  }
  for (const key of Object.keys(opts.logOpts ?? {})) {
    if (key !== 'max-size' && key !== 'max-file') throw new BerthError('invalid_argument', `unknown log opt '${key}' for ${opts.logDriver ?? 'local'} log driver: use max-size or max-file`);
  }
  const host = opts.hostname || hostname;
  if (opts.hostname && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(host)) {
    throw new BerthError('invalid_argument', `invalid hostname "${host}": use letters, digits, dots and dashes, at most 63 characters`);
  }
  if (opts.domainname && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,63})$/.test(opts.domainname)) {
    throw new BerthError('invalid_argument', `invalid domainname "${opts.domainname}": use letters, digits, dots and dashes, at most 64 characters`);
  }
  if (opts.domainname && opts.host?.utsMode === 'host') {
    throw new BerthError('invalid_argument', "Conflicting options: --domainname and --uts host: a container on the host's UTS namespace has the host's domain name");
  }
  return {
    args: resolveArgs(image, opts),
    env: mergeEnv(image.Env ?? [], opts.env ?? [], host),
    cwd,
    user: resolveUser(opts.user ?? image.User, lowerDirs),
    hostname: host,
    ...(opts.domainname ? { domainname: opts.domainname } : {}),
    lowerDirs,
    autoRemove: opts.autoRemove ?? false,
    tty: opts.tty ?? false,
    openStdin: opts.openStdin ?? false,
    labels: { ...(image.Labels ?? {}), ...(opts.labels ?? {}) },
    ...(opts.annotations && Object.keys(opts.annotations).length > 0 ? { annotations: opts.annotations } : {}),
    restartPolicy,
    stopSignal: opts.stopSignal ?? image.StopSignal,
    stopTimeout: opts.stopTimeout,
    logDriver: opts.logDriver ?? 'local',
    logOpts: opts.logOpts ?? {},
    ...(opts.host ? { host: opts.host } : {}),
    ...healthOf(image, opts),
  };
}

function healthOf(image: ImageRunConfig, opts: RunOptions): Pick<ContainerRunSpec, 'health'> {
  const health = resolveHealthConfig(opts.healthcheck, image.Healthcheck, opts.noHealthcheck === true);
  return health ? { health } : {};
}
