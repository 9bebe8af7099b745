// --security-opt parsing (Docker's key=value and key:value forms, what hosts
// with and without AppArmor/SELinux accept) and Docker's seccomp profile
// turned into the runtime-spec object for a capability set.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseSecurityOpts } from '../../src/runtime/security-opts.js';
import { ociSeccomp } from '../../src/runtime/seccomp-profile.js';
import { DEFAULT_CAPABILITIES, ALL_CAPABILITIES } from '../../src/runtime/capabilities.js';
import { DOCKER_PROFILE, dockerSeccomp } from './seccomp-helpers.js';

const none = { apparmor: false, selinux: false };
const both = { apparmor: true, selinux: true };

describe('parseSecurityOpts', () => {
  it('reads no-new-privileges in its bare, = and : forms; the last one wins', () => {
    expect(parseSecurityOpts(['no-new-privileges'], none)).toEqual({ noNewPrivileges: true });
    expect(parseSecurityOpts(['no-new-privileges:false'], none)).toEqual({ noNewPrivileges: false });
    expect(parseSecurityOpts(['no-new-privileges=true', 'no-new-privileges=false'], none)).toEqual({ noNewPrivileges: false });
  });

  it('reads seccomp=unconfined, a profile\'s JSON, and systempaths=unconfined', () => {
    expect(parseSecurityOpts(['seccomp=unconfined', 'systempaths=unconfined'], none)).toEqual({ seccomp: 'unconfined', unmaskedPaths: true });
    const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] };
    expect(parseSecurityOpts([`seccomp=${JSON.stringify(profile)}`], none)).toEqual({ seccomp: profile });
    expect(() => parseSecurityOpts(['seccomp={"syscalls":[]}'], none)).toThrow(/no "defaultAction"/);
    expect(() => parseSecurityOpts(['seccomp=[1]'], none)).toThrow(/must be a JSON object/);
  });

  it('names the missing LSM on a host without it, and says Berth applies no profiles on a host with it', () => {
    expect(parseSecurityOpts(['apparmor=unconfined', 'label=disable', 'label:disable'], none)).toEqual({});
    expect(() => parseSecurityOpts(['apparmor=custom'], none)).toThrow(/AppArmor is not enabled on this host/);
    expect(() => parseSecurityOpts(['apparmor=custom'], both)).toThrow(/Berth does not apply AppArmor profiles; use apparmor=unconfined/);
    expect(() => parseSecurityOpts(['label=level:s0:c100,c200'], none)).toThrow(/SELinux is not enabled on this host/);
    expect(() => parseSecurityOpts(['label=user:u'], both)).toThrow(/Berth does not apply SELinux labels/);
  });

  it('refuses unknown keys and values without a key', () => {
    expect(() => parseSecurityOpts(['seccomp'], none)).toThrow(/use KEY=VALUE/);
    expect(() => parseSecurityOpts(['=x'], none)).toThrow(/use KEY=VALUE/);
    expect(() => parseSecurityOpts(['userns=host'], none)).toThrow(/unknown option "userns"/);
  });
});

describe('ociSeccomp', () => {
  const profile = JSON.parse(readFileSync(DOCKER_PROFILE, 'utf8'));

  it('matches the helper\'s independent conversion of Docker\'s profile for the default and the full capability set', () => {
    for (const caps of [DEFAULT_CAPABILITIES, ALL_CAPABILITIES]) expect(ociSeccomp(profile, [...caps], 'x64')).toEqual(dockerSeccomp([...caps], profile));
  });

  it('allows the CAP_SYS_ADMIN syscalls only with that capability', () => {
    const names = (caps: string[]) => (ociSeccomp(profile, caps, 'x64').syscalls as { names: string[] }[]).flatMap((s) => s.names);
    expect(names([...DEFAULT_CAPABILITIES])).not.toContain('mount');
    expect(names([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'])).toContain('mount');
  });

  it('passes a profile already in the runtime-spec shape through', () => {
    const oci = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] };
    expect(ociSeccomp(oci, [], 'x64')).toEqual(oci);
  });
});
