// run/create --security-opt and --device as Docker's CLI sends them:
// `seccomp=FILE` is replaced by the file's JSON (the daemon never reads client
// paths); the rest goes as given and the daemon checks it
// (src/runtime/security-opts.ts, src/runtime/host-devices.ts).
import { readFileSync } from 'node:fs';
import { BerthError } from '../../../src/errors.js';
import type { DeviceMapping } from '../../../src/runtime/host-devices.js';

function profileText(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BerthError('invalid_argument', `opening seccomp profile (${path}) failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (err) {
    throw new BerthError('invalid_argument', `seccomp profile ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export function securityOpts(opts: string[]): string[] {
  return opts.map((opt) => {
    const m = /^seccomp[=:](.*)$/s.exec(opt);
    if (!m || m[1] === 'unconfined' || m[1] === '') return opt;
    return `seccomp=${profileText(m[1])}`;
  });
}

/** Docker's --device syntax: HOST[:CONTAINER][:PERMISSIONS]; with two parts the second is permissions when it reads like them. */
export function parseDevice(value: string): DeviceMapping {
  const parts = value.split(':');
  const isPerms = (p: string) => /^[rwm]{1,3}$/.test(p);
  let [host, container, perms] = [parts[0], parts[0], 'rwm'];
  if (parts.length === 2) {
    if (isPerms(parts[1])) perms = parts[1];
    else container = parts[1];
  } else if (parts.length === 3) {
    [host, container, perms] = parts;
  } else if (parts.length > 3) {
    throw new BerthError('invalid_argument', `invalid argument "${value}" for "--device" flag: invalid device specification (use HOST[:CONTAINER][:PERMISSIONS], e.g. /dev/fuse:/dev/fuse:rwm)`);
  }
  if (!isPerms(perms)) throw new BerthError('invalid_argument', `invalid argument "${value}" for "--device" flag: invalid device mode: ${perms} (use a combination of r, w and m)`);
  if (!host.startsWith('/') || !container.startsWith('/')) throw new BerthError('invalid_argument', `invalid argument "${value}" for "--device" flag: device paths must be absolute`);
  return { PathOnHost: host, PathInContainer: container, CgroupPermissions: perms };
}
