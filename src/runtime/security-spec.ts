// A container's --security-opt settings in its config.json and in the
// process.json of its execs: no_new_privs, the seccomp filter (Docker's
// default profile unless unconfined or --privileged), systempaths=unconfined. Pure.
import type { HostOptions } from './host-options.js';
import { parseSecurityOpts, type HostLsms } from './security-opts.js';
import { ociSeccomp } from './seccomp-profile.js';

type Json = Record<string, unknown>;

/** Changes `spec` (built with Docker's defaults and the host options) to honour the security options. */
export function applySecurityOpts(spec: Json, h: HostOptions | undefined, seccompDefault: Json | undefined, lsms?: HostLsms): Json {
  const s = parseSecurityOpts(h?.securityOpt ?? [], lsms);
  const process = spec.process as Json;
  const linux = spec.linux as Json;
  if (s.noNewPrivileges !== undefined) process.noNewPrivileges = s.noNewPrivileges;
  if (s.unmaskedPaths) {
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
  }
  const profile = s.seccomp ?? seccompDefault;
  if (!h?.privileged && profile && profile !== 'unconfined') {
    linux.seccomp = ociSeccomp(profile, (process.capabilities as { bounding: string[] }).bounding);
  }
  return spec;
}

/** no_new_privs for an exec: the container's setting (Berth's default: on). */
export function execNoNewPrivileges(h: HostOptions | undefined, lsms?: HostLsms): boolean {
  return parseSecurityOpts(h?.securityOpt ?? [], lsms).noNewPrivileges ?? true;
}
