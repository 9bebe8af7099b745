// Turns `berth run`/`berth create`'s parsed flags and arguments into the
// daemon's CreateParams (RunParams for run), checking what Docker checks on
// the client side.
import type { RunParams } from '../../../src/protocol/methods.js';
import type { CreateParams } from '../../../src/protocol/container-methods.js';
import { BerthError } from '../../../src/errors.js';
import { readEnvFile } from './env-file.js';
import { parseAttach, readLabelFiles } from './run-client-flags.js';
import { checkCompatFlags, type CompatFlags } from './compat-flags.js';
import { parseDetachKeys } from './detach-keys.js';
import { parseRestartPolicy } from './restart-policy.js';
import { parseMountFlags } from '../../../src/runtime/mount-flags.js';
import { networkParams, parseNetworkFlag } from './network-flags.js';
import { toHostOptions, type ResourceFlags } from './resource-flags.js';

import { healthFlagsToCheck, type HealthFlagValues } from '../../../src/machines/health-config.js';

export interface RunFlags extends ResourceFlags, HealthFlagValues, CompatFlags {
  rm?: boolean;
  detach?: boolean;
  name?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  entrypoint?: string;
  interactive?: boolean;
  tty?: boolean;
  hostname?: string;
  domainname?: string;
  user?: string;
  label?: string[];
  annotation?: string[];
  restart?: string;
  stopSignal?: string;
  stopTimeout?: number;
  logDriver?: string;
  logOpt?: string[];
  detachKeys?: string;
  volume?: string[];
  mount?: string[];
  network?: string;
  addHost?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  networkAlias?: string[];
  ip?: string;
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  cidfile?: string;
  labelFile?: string[];
  quiet?: boolean;
  pull?: 'always' | 'missing' | 'never';
  platform?: string;
  attach?: string[];
  /** --sig-proxy: false with --sig-proxy=false (cli/bool-flag-values.ts), else on */
  sigProxy?: boolean;
}

/** What `run` sends: everything `create` takes, plus detach. */
export type RunRequest = CreateParams & RunParams;

const LOG_DRIVERS = ['local', 'json-file', 'none'] as const;

/**
 * `-e VAR=value` is passed as is; `-e VAR` takes VAR's value from `cliEnv`
 * (this shell) and is dropped when VAR is not set there, as Docker does.
 */
export function resolveEnv(entries: string[], cliEnv: NodeJS.ProcessEnv): string[] {
  const resolved: string[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const name = eq >= 0 ? entry.slice(0, eq) : entry;
    if (name === '') {
      throw new BerthError('invalid_argument', `invalid environment variable "${entry}": expected -e VAR=value, or -e VAR to copy VAR from this shell`);
    }
    if (/\s/.test(name)) {
      throw new BerthError('invalid_argument', `invalid environment variable "${entry}": the name "${name}" contains whitespace`);
    }
    if (eq >= 0) resolved.push(entry);
    else if (cliEnv[name] !== undefined) resolved.push(`${name}=${cliEnv[name]}`);
  }
  return resolved;
}

/** -l KEY=VALUE (or KEY alone, for an empty value), later ones winning. */
export function parseLabels(entries: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq >= 0 ? entry.slice(0, eq) : entry;
    if (key.trim() === '') throw new BerthError('invalid_argument', `invalid label "${entry}": expected KEY=VALUE, e.g. -l tier=db`);
    labels[key] = eq >= 0 ? entry.slice(eq + 1) : '';
  }
  return labels;
}

/** --annotation KEY=VALUE: the key must not be empty; later ones win. */
function parseAnnotations(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new BerthError('invalid_argument', `invalid --annotation "${entry}": expected KEY=VALUE, e.g. --annotation com.example.team=db`);
    out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

function parseLogOpts(entries: string[]): Record<string, string> {
  const opts: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new BerthError('invalid_argument', `invalid --log-opt "${entry}": expected KEY=VALUE, e.g. --log-opt max-size=10m`);
    opts[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return opts;
}

/** `args` is [IMAGE, ...COMMAND] as the grammar hands it over; `verb` names the command in messages. */
export function toCreateParams(args: string[], flags: RunFlags, cliEnv: NodeJS.ProcessEnv = process.env, verb = 'run'): CreateParams {
  const [image, ...cmd] = args;
  if (!image) throw new BerthError('invalid_argument', `'berth ${verb}' requires at least 1 argument: the image to run`);
  checkCompatFlags(flags);
  const params: CreateParams = { image };
  if (cmd.length > 0) params.cmd = cmd;
  if (flags.entrypoint !== undefined) params.entrypoint = flags.entrypoint === '' ? [] : [flags.entrypoint];
  // Docker's order: the env files first, then -e, so -e wins.
  const env = [...(flags.envFile ?? []).flatMap((f) => readEnvFile(f, cliEnv)), ...resolveEnv(flags.env ?? [], cliEnv)];
  if (env.length > 0) params.env = env;
  if (flags.workdir !== undefined) {
    if (!flags.workdir.startsWith('/')) {
      throw new BerthError('invalid_argument', `the working directory '${flags.workdir}' is invalid, it needs to be an absolute path`);
    }
    params.workdir = flags.workdir;
  }
  if (flags.name !== undefined) {
    if (flags.name === '') throw new BerthError('invalid_argument', '--name must not be empty; leave it out to get a generated name');
    params.name = flags.name;
  }
  if (flags.rm) params.autoRemove = true;
  if (flags.hostname !== undefined) params.hostname = flags.hostname;
  if (flags.domainname !== undefined) params.domainname = flags.domainname;
  if (flags.user !== undefined) params.user = flags.user;
  // Docker's order: the label files first, then -l, so -l wins.
  const labels = [...readLabelFiles(flags.labelFile), ...(flags.label ?? [])];
  if (labels.length > 0) params.labels = parseLabels(labels);
  if (flags.annotation?.length) params.annotations = parseAnnotations(flags.annotation);
  if (flags.pull !== undefined) params.pull = flags.pull;
  if (flags.platform !== undefined) params.platform = flags.platform;
  if (flags.restart !== undefined) {
    const policy = parseRestartPolicy(flags.restart);
    if (flags.rm && policy !== 'no') throw new BerthError('invalid_argument', 'Conflicting options: --restart and --rm');
    params.restart = policy;
  }
  if (flags.stopSignal !== undefined) params.stopSignal = flags.stopSignal;
  if (flags.stopTimeout !== undefined) params.stopTimeout = flags.stopTimeout;
  if (flags.tty) params.tty = true;
  if (flags.interactive) params.openStdin = true;
  if (flags.logDriver !== undefined) {
    if (!(LOG_DRIVERS as readonly string[]).includes(flags.logDriver)) {
      throw new BerthError('invalid_argument', `unsupported --log-driver "${flags.logDriver}": berth supports ${LOG_DRIVERS.join(', ')}`);
    }
    params.logDriver = flags.logDriver as CreateParams['logDriver'];
  }
  if (flags.logOpt && flags.logOpt.length > 0) {
    if (params.logDriver === 'none') throw new BerthError('invalid_argument', 'invalid logging opts for driver none');
    params.logOpts = parseLogOpts(flags.logOpt);
  }
  if (flags.detachKeys !== undefined) parseDetachKeys(flags.detachKeys);
  const mounts = parseMountFlags(flags.volume, flags.mount);
  if (mounts) params.mounts = mounts;
  const network = parseNetworkFlag(flags.network);
  if (network !== undefined) params.network = network;
  Object.assign(params, networkParams(flags));
  const host = toHostOptions(flags);
  if (host) params.host = host;
  const health = healthFlagsToCheck(flags);
  if (health.check) params.healthcheck = health.check;
  if (health.disabled) params.noHealthcheck = true;
  return params;
}

/** What Docker's CLI warns about in run and create flags (it goes ahead all the same). */
export function flagWarnings(params: CreateParams): string[] {
  const out: string[] = [];
  if (params.network === 'host' && ((params.publish?.length ?? 0) > 0 || params.publishAll)) out.push('Published ports are discarded when using host network mode');
  return out;
}

export function toRunParams(args: string[], flags: RunFlags, cliEnv: NodeJS.ProcessEnv = process.env): RunRequest {
  const params: RunRequest = toCreateParams(args, flags, cliEnv, 'run');
  if (flags.detach) {
    if (parseAttach(flags.attach)) throw new BerthError('invalid_argument', 'Conflicting options: -a and -d');
    params.detach = true;
  }
  return params;
}
