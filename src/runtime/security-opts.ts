// run/create --security-opt, as Docker's daemon reads HostConfig.SecurityOpt:
// no-new-privileges[=|:true|false], seccomp=unconfined|<profile JSON>,
// apparmor=…, label=…, systempaths=unconfined. Without AppArmor or SELinux on
// the host only the settings that turn them off are accepted. Pure, apart
// from asking the host which LSMs it has.
import { existsSync, readFileSync } from 'node:fs';
import { BerthError } from '../errors.js';

export interface SecuritySettings {
  noNewPrivileges?: boolean;
  /** 'unconfined', a profile (Docker's or the runtime-spec's JSON shape), or undefined for Docker's default profile */
  seccomp?: 'unconfined' | Record<string, unknown>;
  /** systempaths=unconfined: no masked or read-only /proc and /sys paths */
  unmaskedPaths?: boolean;
}

export interface HostLsms { apparmor: boolean; selinux: boolean }

export function hostLsms(): HostLsms {
  let apparmor = false;
  try {
    apparmor = readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    /* no AppArmor module */
  }
  return { apparmor, selinux: existsSync('/sys/fs/selinux/enforce') };
}

function bad(opt: string, why: string): never {
  throw new BerthError('invalid_argument', `invalid --security-opt "${opt.length > 80 ? `${opt.slice(0, 77)}...` : opt}": ${why}`);
}

/** "key=value", or Docker's older "key:value"; a bare no-new-privileges means true. */
function split(opt: string): [string, string] {
  if (opt === 'no-new-privileges') return [opt, 'true'];
  const eq = opt.indexOf('=');
  const colon = opt.indexOf(':');
  const at = eq > 0 ? eq : colon;
  if (at <= 0) bad(opt, 'use KEY=VALUE: no-new-privileges[=true|false], seccomp=unconfined|PROFILE.json, apparmor=unconfined, label=disable or systempaths=unconfined');
  return [opt.slice(0, at), opt.slice(at + 1)];
}

function seccompProfile(value: string): SecuritySettings['seccomp'] {
  if (value === 'unconfined') return 'unconfined';
  let profile: unknown;
  try {
    profile = JSON.parse(value);
  } catch {
    bad('seccomp=…', 'the value is neither "unconfined" nor a JSON seccomp profile (the client sends the profile file\'s contents)');
  }
  if (!profile || typeof profile !== 'object' || Array.isArray(profile)) bad('seccomp=…', 'the profile must be a JSON object');
  const p = profile as Record<string, unknown>;
  if (typeof p.defaultAction !== 'string') bad('seccomp=…', 'the profile has no "defaultAction" (e.g. "SCMP_ACT_ERRNO")');
  if (p.syscalls !== undefined && !Array.isArray(p.syscalls)) bad('seccomp=…', '"syscalls" must be an array');
  return p;
}

/** Checks and interprets the options; throws a clear error for anything Berth cannot honour. */
export function parseSecurityOpts(opts: string[], lsms: HostLsms = hostLsms()): SecuritySettings {
  const out: SecuritySettings = {};
  for (const opt of opts) {
    const [key, value] = split(opt);
    switch (key) {
      case 'no-new-privileges':
        if (value !== 'true' && value !== 'false') bad(opt, 'no-new-privileges takes true or false');
        out.noNewPrivileges = value === 'true';
        break;
      case 'seccomp':
        out.seccomp = seccompProfile(value);
        break;
      case 'systempaths':
        if (value !== 'unconfined') bad(opt, 'the only systempaths setting is "unconfined"');
        out.unmaskedPaths = true;
        break;
      case 'apparmor':
        if (value === 'unconfined') break;
        bad(opt, lsms.apparmor ? 'Berth does not apply AppArmor profiles; use apparmor=unconfined' : 'AppArmor is not enabled on this host; only apparmor=unconfined is accepted');
      case 'label':
        if (value === 'disable') break;
        if (!/^(user|role|type|level|filetype):./.test(value) && value !== 'nested') bad(opt, 'use label=disable, or label=user:|role:|type:|level:VALUE');
        bad(opt, lsms.selinux ? 'Berth does not apply SELinux labels; use label=disable' : 'SELinux is not enabled on this host; only label=disable is accepted');
      default:
        bad(opt, `unknown option "${key}": use no-new-privileges, seccomp, apparmor, label or systempaths`);
    }
  }
  return out;
}
