// linux.seccomp: the runtime compiles the spec object to classic BPF and
// installs it in the container init. Everything here runs real containers on
// the real kernel; filters are read back from the kernel with
// PTRACE_SECCOMP_GET_FILTER and, where the host cannot make the syscall itself
// (i386 via int 0x80 is not available on this machine), evaluated on the BPF
// the kernel holds — side by side with runc's filter for the same bundle.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, DEFAULT_CAPS } from './bundle.js';
import {
  AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, RET, Runc, X32_BIT, buildBench, buildDump, buildProbe,
  dockerSeccomp, evalFilter, readFilters, retName, syscallTable, type Insn, type SeccompData,
} from './seccomp-helpers.js';

let sb: Sandbox;
let runc: Runc;
let dump: string;
const NR = syscallTable('64');
const NR32 = syscallTable('32');
const NRX32 = syscallTable('x32');
const EPERM = 1, ENOSYS = 38, ENOMSG = 42, EBADFD = 77;

beforeAll(() => {
  sb = new Sandbox();
  runc = new Runc(sb);
  buildProbe(sb);
  dump = buildDump(sb);
});
afterEach(async () => { runc.cleanup(); await sb.cleanup(); });
afterAll(() => sb.destroy());

const ALL_ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
const allowWith = (syscalls: any[], extra: any = {}) =>
  (c: any) => { c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ALL_ARCHES, syscalls, ...extra }; };

/** config.json can hold integers up to 2^64-1; JSON.stringify cannot write
 * them from BigInt, so tests write "u64:N" and the bundle file gets N. */
const u64 = (v: bigint) => `u64:${v}`;

/** Runs scprobe with CALLs; returns exit code and errno per call (undefined: no line, e.g. killed first). */
function probe(id: string, calls: string[], edit: (c: any) => void) {
  sb.ids.add(id);
  const bundle = sb.bundle(id, ['scprobe', ...calls], edit);
  const cfg = join(bundle, 'config.json');
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/"u64:(\d+)"/g, '$1'));
  const r = sb.rt(['run', '--bundle', bundle, id]);
  const errnos = calls.map((call) => {
    const m = r.out.match(new RegExp(`^${call.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ret=(-?\\d+) errno=(\\d+)$`, 'm'));
    return m ? Number(m[2]) : undefined;
  });
  return { ...r, errnos };
}

/** Starts a detached container running `sleep`, returns the filters the kernel holds for it. */
function installedFilters(id: string, seccomp: any, runtime: 'berth' | 'runc' = 'berth'): Insn[][] {
  const bundle = sb.bundle(id, ['sleep', '60'], (c) => { c.linux.seccomp = seccomp; });
  let pid: number;
  if (runtime === 'berth') {
    sb.ids.add(id);
    const r = sb.rt(['run', '-d', '--bundle', bundle, id]);
    expect(r.code, r.err).toBe(0);
    pid = sb.state(id).pid;
  } else {
    const r = runc.run(id, bundle, true);
    expect(r.code, r.err).toBe(0);
    pid = runc.pid(id);
  }
  return readFilters(dump, pid);
}

describe('berth-runtime seccomp: actions', () => {
  it('ERRNO with the default EPERM blocks mkdir while touch works; the filter shows in /proc/self/status', () => {
    const r = sb.run('sc-mkdir', ['sh', '-c', 'mkdir /tmp/sc-x; echo mkdir=$?; touch /tmp/sc-t && echo touched; grep ^Seccomp /proc/self/status'],
      allowWith([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }]));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^mkdir=1$/m);
    expect(r.out + r.err).toMatch(/mkdir: can't create directory '\/tmp\/sc-x': Operation not permitted/);
    expect(r.out).toMatch(/^touched$/m);
    expect(r.out).toMatch(/^Seccomp:\s+2$/m);
    expect(r.out).toMatch(/^Seccomp_filters:\s+1$/m);
  });

  it('errnoRet 38 makes mkdir fail with ENOSYS', () => {
    const r = sb.run('sc-enosys', ['sh', '-c', 'mkdir /tmp/sc-y; echo mkdir=$?'],
      allowWith([{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS }]));
    expect(r.code, r.err).toBe(0);
    expect(r.out + r.err).toMatch(/Function not implemented/);
  });

  it('defaultErrnoRet is what unlisted syscalls return under a deny-by-default profile', () => {
    const sc = dockerSeccomp(DEFAULT_CAPS);
    sc.defaultErrnoRet = EBADFD;
    const r = probe('sc-deferrno', [`${NR.get('acct')},0`, `${NR.get('getpid')}`], (c) => { c.linux.seccomp = sc; });
    expect(r.code, r.err).toBe(0);
    expect(r.errnos).toEqual([EBADFD, 0]);
  });

  it('KILL_PROCESS and KILL end the container with SIGSYS (exit 159)', () => {
    for (const action of ['SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD']) {
      const id = `sc-kill-${action.slice(9).toLowerCase().replace('_', '')}`;
      const r = probe(id, [`${NR.get('getpid')}`, `${NR.get('fchdir')},1`, `${NR.get('getppid')}`],
        allowWith([{ names: ['fchdir'], action }]));
      expect(r.code, `${action}: ${r.err}`).toBe(128 + 31);
      expect(r.errnos).toEqual([0, undefined, undefined]);
    }
  });

  it('TRAP delivers SIGSYS too; LOG and ALLOW let a call through that the default denies', () => {
    expect(probe('sc-trap', [`${NR.get('fchdir')},1`], allowWith([{ names: ['fchdir'], action: 'SCMP_ACT_TRAP' }])).code).toBe(159);
    // add_key(NULL, ...) is not in Docker's allow list; let through, the kernel says EFAULT.
    const addKey = `${NR.get('add_key')},0,0,0,0,0`;
    for (const action of [undefined, 'SCMP_ACT_LOG', 'SCMP_ACT_ALLOW']) {
      const sc = dockerSeccomp(DEFAULT_CAPS);
      sc.defaultErrnoRet = ENOMSG;
      if (action) sc.syscalls.push({ names: ['add_key'], action });
      const r = probe(`sc-${(action ?? 'none').slice(9).toLowerCase() || 'none'}`, [addKey], (c) => { c.linux.seccomp = sc; });
      expect(r.code, r.err).toBe(0);
      expect(r.errnos).toEqual([action ? 14 : ENOMSG]);
    }
  });
});

describe('berth-runtime seccomp: argument rules', () => {
  const fchdir = NR.get('fchdir')!;
  const rule = (args: any[], errnoRet = ENOMSG) => ({ names: ['fchdir'], action: 'SCMP_ACT_ERRNO', errnoRet, args });
  const cases: { name: string; arg: any; blocked: bigint[]; passed: bigint[] }[] = [
    { name: 'EQ', arg: { index: 0, value: 0x300000005, op: 'SCMP_CMP_EQ' },
      blocked: [0x300000005n], passed: [5n, 0x300000000n, 0x200000005n, 0x300000006n] },
    { name: 'NE', arg: { index: 0, value: 0x300000005, op: 'SCMP_CMP_NE' },
      blocked: [5n, 0x300000000n, 0x200000005n], passed: [0x300000005n] },
    { name: 'GT', arg: { index: 0, value: 0xffffffff, op: 'SCMP_CMP_GT' },
      blocked: [0x100000000n, 0xffffffff00000000n], passed: [0xffffffffn, 7n] },
    { name: 'GE', arg: { index: 0, value: 0x100000002, op: 'SCMP_CMP_GE' },
      blocked: [0x100000002n, 0x200000000n], passed: [0x100000001n, 0xffffffffn] },
    { name: 'LT', arg: { index: 0, value: 0x100000000, op: 'SCMP_CMP_LT' },
      blocked: [0n, 0xffffffffn], passed: [0x100000000n, 0x100000001n] },
    { name: 'LE', arg: { index: 0, value: 0x100000000, op: 'SCMP_CMP_LE' },
      blocked: [0x100000000n, 0xfffffffen], passed: [0x100000001n, 0x200000000n] },
    { name: 'MASKED_EQ', arg: { index: 0, value: 0xf0000000f, valueTwo: 0x300000005, op: 'SCMP_CMP_MASKED_EQ' },
      blocked: [0x300000005n, 0xa3000000f5n, 0x3fffffff5n], passed: [5n, 0x300000000n, 0x300000006n, 0x400000005n] },
    { name: 'EQ on the full 64-bit range', arg: { index: 0, value: u64(18446744073709551615n), op: 'SCMP_CMP_EQ' },
      blocked: [0xffffffffffffffffn], passed: [0xffffffffn, 0xffffffff00000000n] },
  ];
  for (const c of cases) {
    it(`${c.name} compares both 32-bit halves`, () => {
      const vals = [...c.blocked, ...c.passed];
      const r = probe(`sc-arg-${c.name.split(' ')[0].toLowerCase()}`, vals.map((v) => `${fchdir},0x${v.toString(16)}`), (cfg) => {
        allowWith([rule([c.arg])])(cfg);
      });
      expect(r.code, r.err).toBe(0);
      expect(r.errnos.map((e) => e === ENOMSG)).toEqual(vals.map((_, i) => i < c.blocked.length));
    });
  }

  it('conditions on different arguments must all hold; several on one argument mean any of them (as runc)', () => {
    // fchdir on fds that are not open: EBADF (9) when the call gets through.
    const calls = ['11,2', '11,3', '12,2', '14,0', '15,0', '16,0'].map((a) => `${fchdir},${a}`);
    const r = probe('sc-and-or', calls, allowWith([
      rule([{ index: 0, value: 11, op: 'SCMP_CMP_EQ' }, { index: 1, value: 2, op: 'SCMP_CMP_EQ' }]),
      rule([{ index: 0, value: 14, op: 'SCMP_CMP_EQ' }, { index: 0, value: 15, op: 'SCMP_CMP_EQ' }], ENOSYS),
    ]));
    expect(r.code, r.err).toBe(0);
    expect(r.errnos).toEqual([ENOMSG, 9, 9, ENOSYS, ENOSYS, 9]);
  });

  it('rules for one syscall are tried in order: the first that matches decides', () => {
    const calls = [`${fchdir},11`, `${fchdir},12`];
    const specific = rule([{ index: 0, value: 11, op: 'SCMP_CMP_EQ' }], ENOMSG);
    const catchAll = { names: ['fchdir'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS };
    expect(probe('sc-order1', calls, allowWith([specific, catchAll])).errnos).toEqual([ENOMSG, ENOSYS]);
    expect(probe('sc-order2', calls, allowWith([catchAll, specific])).errnos).toEqual([ENOSYS, ENOSYS]);
  });

  it('handles programs whose jumps exceed 255 instructions (long jumps through JA)', () => {
    // One argument rule per syscall the probe never makes: hundreds of blocks
    // between the dispatch and the shared returns.
    const skip = new Set(['execve', 'brk', 'arch_prctl', 'set_tid_address', 'set_robust_list', 'rseq', 'prlimit64', 'mprotect',
      'readlink', 'readlinkat', 'getrandom', 'write', 'exit_group', 'exit', 'newfstatat', 'fstat', 'close', 'mmap', 'munmap',
      'uname', 'access', 'openat', 'read', 'getpid', 'fchdir', 'futex', 'rt_sigprocmask', 'rt_sigaction', 'open', 'fcntl', 'dup2', 'dup3',
      'statx', 'lseek', 'ioctl', 'close_range', 'prctl', 'capset', 'capget', 'setgroups', 'setresuid', 'setresgid', 'setuid', 'setgid',
      'chdir', 'umask', 'setrlimit', 'getppid', 'kill', 'wait4', 'rt_sigreturn', 'pread64', 'sched_getaffinity', 'seccomp', 'madvise']);
    const names = [...NR.keys()].filter((n) => !skip.has(n)).sort((a, b) => NR.get(b)! - NR.get(a)!);
    const syscalls = names.slice(0, 80).map((n, i) => ({
      names: [n], action: 'SCMP_ACT_ERRNO', errnoRet: 100 + (i % 3),
      args: [{ index: 0, value: 0x1234500000000 + i, op: 'SCMP_CMP_EQ' }, { index: 1, value: i, op: 'SCMP_CMP_GE' }],
    }));
    syscalls.push(rule([{ index: 0, value: 0x1234500000000, op: 'SCMP_CMP_GT' }]) as any);
    const sc = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ALL_ARCHES, syscalls };
    const [prog] = installedFilters('sc-long-f', sc);
    expect(prog.length).toBeGreaterThan(1000);
    console.log(`long-jump profile: ${prog.length} instructions, ${prog.filter((i) => i.code === 0x05).length} JA`);
    expect(prog.some((i) => i.code === 0x05)).toBe(true);
    const r = probe('sc-long', [`${fchdir},0x1234500000001`, `${fchdir},99`], (c) => { c.linux.seccomp = sc; });
    expect(r.code, r.err).toBe(0);
    expect(r.errnos).toEqual([ENOMSG, 9]);
    // Every rule, on every arch, through the program the kernel holds.
    for (const [i, n] of names.slice(0, 80).entries()) {
      const args = [0x1234500000000n + BigInt(i), BigInt(i)];
      expect(retName(evalFilter(prog, { arch: AUDIT_ARCH_X86_64, nr: NR.get(n)!, args }))).toBe(`ERRNO(${100 + (i % 3)})`);
      expect(retName(evalFilter(prog, { arch: AUDIT_ARCH_X86_64, nr: NR.get(n)!, args: [args[0], BigInt(i) - 1n] })))
        .toBe(i === 0 ? `ERRNO(${100 + (i % 3)})` : 'ALLOW');
      // i386 and x32 arguments are compared as 32 bits (as libseccomp does):
      // 0x12345_xxxxxxxx can never be equal there.
      if (NRX32.has(n)) expect(retName(evalFilter(prog, { arch: AUDIT_ARCH_X86_64, nr: NRX32.get(n)!, args }))).toBe('ALLOW');
      if (NR32.has(n)) expect(retName(evalFilter(prog, { arch: AUDIT_ARCH_I386, nr: NR32.get(n)!, args }))).toBe('ALLOW');
    }
  });
});

describe('berth-runtime seccomp: argument rules against runc', () => {
  it('every operator decides as runc 1.1.5 (libseccomp 2.5.4) does, except for >32-bit values on i386/x32', () => {
    // One rule per syscall, so rule order (which libseccomp does not keep) cannot matter.
    const ops = ['SCMP_CMP_EQ', 'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_GT', 'SCMP_CMP_GE', 'SCMP_CMP_MASKED_EQ'];
    const names = ['fchdir', 'dup', 'getpgid', 'fsync', 'fdatasync', 'syncfs', 'umask', 'getsid', 'setpgid', 'getpriority',
      'setpriority', 'ioprio_get', 'flock', 'fchmod', 'fchown', 'dup2', 'alarm', 'sched_getscheduler', 'sched_getparam', 'times',
      'kcmp'];
    const values = [5, 0x100000005, 0xffffffff];
    const rules = ops.flatMap((op, i) => values.map((value, j) => ({
      names: [names[i * values.length + j]], action: 'SCMP_ACT_ERRNO', errnoRet: 100 + i,
      args: [{ index: j, value: op === 'SCMP_CMP_MASKED_EQ' ? 0xf0000000f : value, valueTwo: op === 'SCMP_CMP_MASKED_EQ' ? value : 0, op }],
    })));
    const sc = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ALL_ARCHES, syscalls: rules };
    const ours = installedFilters('sc-ops-berth', sc)[0];
    const theirs = installedFilters('sc-ops-runc', sc, 'runc')[0];
    const argVals = [0n, 4n, 5n, 6n, 0xffffffffn, 0x100000000n, 0x100000004n, 0x100000005n, 0x100000006n, 0x500000005n, 0xffffffff00000005n];
    const diffs: string[] = [];
    let n = 0, wide = 0;
    for (const rule of rules) {
      const name = rule.names[0], { index, value, valueTwo } = rule.args[0];
      for (const [arch, nr] of [[AUDIT_ARCH_X86_64, NR.get(name)!], [AUDIT_ARCH_X86_64, NRX32.get(name)!], [AUDIT_ARCH_I386, NR32.get(name)!]]) {
        for (const a of argVals) {
          const args = [a, a, a].map((v, i) => (i === index ? v : 0n));
          const x = retName(evalFilter(ours, { arch, nr, args })), y = retName(evalFilter(theirs, { arch, nr, args }));
          n++;
          if (x === y) continue;
          // libseccomp drops the high word of the rule's value on 32-bit ABIs;
          // berth compares the zero-extended argument with the whole value.
          if ((arch === AUDIT_ARCH_I386 || nr >= X32_BIT) && Math.max(value, valueTwo) > 0xffffffff) { wide++; continue; }
          diffs.push(`${name} ${rule.args[0].op} arch=0x${arch.toString(16)} nr=${nr} args=${args}: berth ${x}, runc ${y}`);
        }
      }
    }
    console.log(`operators: berth vs runc on ${n} inputs: ${diffs.length} differences (+${wide} for >32-bit values on 32-bit ABIs)`);
    expect(diffs).toEqual([]);
  });
});

describe('berth-runtime seccomp: architectures', () => {
  const fchdirX32 = NRX32.get('fchdir')!;

  it('kills x32 calls when only SCMP_ARCH_X86_64 is listed, filters them when SCMP_ARCH_X32 is', () => {
    const only64 = probe('sc-arch64', [`${NR.get('getpid')}`, `${fchdirX32},1`], (c) => {
      c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'] };
    });
    expect(only64.code).toBe(159);
    expect(only64.errnos).toEqual([0, undefined]);
    const withX32 = probe('sc-archx32', [`${fchdirX32},1`, `${NRX32.get('getpid')}`], (c) => {
      c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'],
        syscalls: [{ names: ['fchdir'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOMSG }] };
    });
    expect(withX32.code, withX32.err).toBe(0);
    // Allowed through, the x32 getpid meets a kernel built without the x32 ABI: ENOSYS.
    expect(withX32.errnos).toEqual([ENOMSG, ENOSYS]);
  });

  it('checks seccomp_data.arch: i386 rules apply to i386 numbers, unlisted arches are killed', () => {
    const sc = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [{ names: ['mkdir', '_llseek'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOMSG }] };
    const [prog] = installedFilters('sc-arch32', sc);
    const at = (arch: number, nr: number) => retName(evalFilter(prog, { arch, nr }));
    expect(at(AUDIT_ARCH_I386, NR32.get('mkdir')!)).toBe('ERRNO(42)');
    expect(at(AUDIT_ARCH_I386, NR32.get('_llseek')!)).toBe('ERRNO(42)');
    expect(at(AUDIT_ARCH_I386, NR.get('mkdir')!)).toBe('ALLOW'); // 83 is i386 symlink
    expect(at(AUDIT_ARCH_X86_64, NR.get('mkdir')!)).toBe('ERRNO(42)');
    expect(at(AUDIT_ARCH_X86_64, NR32.get('mkdir')!)).toBe('ALLOW');
    expect(at(AUDIT_ARCH_X86_64, NRX32.get('mkdir')!)).toBe('KILL_PROCESS');
    expect(at(AUDIT_ARCH_AARCH64, 34)).toBe('KILL_PROCESS');
  });
});

describe("berth-runtime seccomp: Docker's default profile", () => {
  const sc = dockerSeccomp(DEFAULT_CAPS);

  it('fits in the kernel limit, runs a shell and ls, and refuses unshare', () => {
    const [prog] = installedFilters('sc-docker-f', sc);
    expect(prog.length).toBeLessThanOrEqual(4096);
    console.log(`Docker default profile (DEFAULT_CAPS, x86_64+x86+x32): ${prog.length} BPF instructions`);
    const r = sb.run('sc-docker', ['sh', '-c', 'echo ok; ls /; unshare -r true; echo unshare=$?'], (c) => { c.linux.seccomp = sc; });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^ok$/m);
    expect(r.out).toMatch(/^bin$/m);
    expect(r.out).toMatch(/^proc$/m);
    expect(r.out + r.err).toMatch(/unshare.*Operation not permitted/);
    expect(r.out).toMatch(/^unshare=1$/m);
  });

  it('blocks namespace flags in clone, returns ENOSYS for clone3 and refuses AF_VSOCK sockets', () => {
    const CLONE_NEWUSER = 0x10000000, SIGCHLD = 17, AF_VSOCK = 40, AF_UNIX = 1, SOCK_STREAM = 1;
    const r = probe('sc-docker-args', [
      `${NR.get('clone')},${CLONE_NEWUSER | SIGCHLD}`, `${NR.get('clone3')},0,0`,
      `${NR.get('socket')},${AF_VSOCK},${SOCK_STREAM},0`, `${NR.get('socket')},${AF_UNIX},${SOCK_STREAM},0`,
      `${NR.get('personality')},0xffffffff`, `${NR.get('personality')},0x1000`, `${NR.get('kexec_load')},0,0,0,0`,
    ], (c) => { c.linux.seccomp = sc; });
    expect(r.code, r.err).toBe(0);
    expect(r.errnos).toEqual([EPERM, ENOSYS, EPERM, 0, 0, EPERM, EPERM]);
  });

  it('decides every x86_64, x32 and i386 syscall as runc 1.1.5 (libseccomp) does', () => {
    const ours = installedFilters('sc-docker-cmp', sc)[0];
    const theirs = installedFilters('sc-docker-runc', sc, 'runc')[0];
    const argSets: bigint[][] = [[0n], [0x10000000n | 17n], [17n], [40n], [8n], [0xffffffffn], [0x20008n], [0xffffffff00000000n]];
    const kernelMax = Math.max(...NR.values());
    const diffs: string[] = [];
    const inputs: SeccompData[] = [];
    for (let nr = 0; nr <= kernelMax; nr++) {
      for (const args of argSets) {
        inputs.push({ arch: AUDIT_ARCH_X86_64, nr, args }, { arch: AUDIT_ARCH_X86_64, nr: nr | X32_BIT, args },
          { arch: AUDIT_ARCH_I386, nr, args });
      }
    }
    inputs.push({ arch: AUDIT_ARCH_AARCH64, nr: 0 });
    for (const d of inputs) {
      let a = retName(evalFilter(ours, d)), b = retName(evalFilter(theirs, d));
      if (a === 'KILL_PROCESS' && b === 'KILL_THREAD') b = a; // libseccomp's bad-arch default kills the thread
      if (a !== b) diffs.push(`arch=0x${d.arch.toString(16)} nr=${d.nr} args=${d.args}: berth ${a}, runc ${b}`);
    }
    console.log(`berth vs runc on ${inputs.length} inputs: ${diffs.length} differences; ` +
      `filter sizes: berth ${ours.length}, runc ${theirs.length} instructions`);
    expect(diffs).toEqual([]);
  });

  it('compile benchmark (reported, not asserted)', () => {
    const bench = buildBench(sb);
    const cfg = join(sb.dir, 'docker-seccomp-config.json');
    writeFileSync(cfg, JSON.stringify({ linux: { seccomp: sc } }));
    const out = execFileSync(bench, [cfg, '2000'], { encoding: 'utf8' }).trim();
    console.log(`compiling Docker's default profile: ${out}`);
    expect(out).toMatch(/^insns=\d+ ns_per_compile=\d+$/);
  });
});

describe('berth-runtime seccomp: errors', () => {
  function createFails(id: string, seccomp: any, message: RegExp) {
    sb.ids.add(id);
    const r = sb.rt(['create', '--bundle', sb.bundle(id, ['true'], (c) => { c.linux.seccomp = seccomp; }), id]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(message);
    expect(sb.rt(['state', id]).code).toBe(1);
  }

  it('rejects an unknown action, operator, architecture or flag with a clear message', () => {
    createFails('sc-e-act', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_FOO' }] },
      /linux\.seccomp\.syscalls\[0\]\.action: unknown action "SCMP_ACT_FOO"/);
    createFails('sc-e-defact', { defaultAction: 'ALLOW' }, /linux\.seccomp\.defaultAction: unknown action "ALLOW"/);
    createFails('sc-e-op', { defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_BETWEEN' }] }] },
    /linux\.seccomp\.syscalls\[0\]\.args\[0\]\.op: unknown operator "SCMP_CMP_BETWEEN"/);
    createFails('sc-e-arch', { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_VAX'] },
      /unknown architecture "SCMP_ARCH_VAX"/);
    createFails('sc-e-flag', { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_FAST'] }, /unknown flag "SECCOMP_FILTER_FLAG_FAST"/);
    createFails('sc-e-idx', { defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] },
    /args\[0\]\.index 6 is out of range/);
    createFails('sc-e-errno', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] },
      /errnoRet is set, but action SCMP_ACT_KILL does not return an errno/);
  });

  it('says NOTIFY and listenerPath are not supported yet', () => {
    createFails('sc-e-notify', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] },
      /SCMP_ACT_NOTIFY .* is not supported yet/);
    createFails('sc-e-listener', { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/seccomp.sock' },
      /listenerPath: seccomp user notification is not supported yet/);
  });

  it('skips syscall names this kernel does not know, and accepts flags', () => {
    const r = sb.run('sc-unknown-name', ['sh', '-c', 'mkdir /tmp/sc-z; echo mkdir=$?'], allowWith(
      [{ names: ['no_such_syscall', 'chown32', 'mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
      { flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_LOG'] }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^mkdir=1$/m);
  });
});
