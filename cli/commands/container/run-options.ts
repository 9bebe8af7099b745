// Turns `berth run`'s parsed flags and arguments into the daemon's RunParams,
// checking what Docker checks on the client side.
import type { RunParams } from '../../../src/protocol/methods.js';
import { BerthError } from '../../../src/errors.js';

export interface RunFlags {
  rm?: boolean;
  detach?: boolean;
  name?: string;
  env?: string[];
  workdir?: string;
  entrypoint?: string;
}

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

/** `args` is [IMAGE, ...COMMAND] as the grammar hands it over. */
export function toRunParams(args: string[], flags: RunFlags, cliEnv: NodeJS.ProcessEnv = process.env): RunParams {
  const [image, ...cmd] = args;
  if (!image) throw new BerthError('invalid_argument', "'berth run' requires at least 1 argument: the image to run");
  const params: RunParams = { image };
  if (cmd.length > 0) params.cmd = cmd;
  if (flags.entrypoint !== undefined) params.entrypoint = flags.entrypoint === '' ? [] : [flags.entrypoint];
  const env = resolveEnv(flags.env ?? [], cliEnv);
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
  if (flags.detach) params.detach = true;
  return params;
}
