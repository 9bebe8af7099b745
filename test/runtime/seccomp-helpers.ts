// Helpers for the seccomp tests: Docker's profile format converted to the
// runtime-spec object, small C programs built with gcc at test time (a static
// syscall probe run inside containers, and a host tool that reads a process's
// installed filters with PTRACE_SECCOMP_GET_FILTER), a classic-BPF evaluator
// for the filters read back from the kernel, and runc driven on the same bundle.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from './bundle.js';

export const NATIVE = fileURLToPath(new URL('../../native', import.meta.url));
export const DOCKER_PROFILE = fileURLToPath(new URL('../../profiles/seccomp-default.json', import.meta.url));

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const X32_BIT = 0x40000000;

export const RET = {
  KILL_PROCESS: 0x80000000, KILL_THREAD: 0, TRAP: 0x00030000, ERRNO: 0x00050000, TRACE: 0x7ff00000,
  LOG: 0x7ffc0000, ALLOW: 0x7fff0000,
};

/** Syscall numbers from the kernel headers the runtime's tables come from. */
export function syscallTable(abi: '64' | '32' | 'x32'): Map<string, number> {
  const text = readFileSync(`/usr/include/x86_64-linux-gnu/asm/unistd_${abi}.h`, 'utf8');
  const m = new Map<string, number>();
  for (const [, name, x32, nr] of text.matchAll(/^#define __NR_(\w+) \(?(__X32_SYSCALL_BIT \+ )?(\d+)\)?$/gm)) {
    m.set(name, Number(nr) + (x32 ? X32_BIT : 0));
  }
  return m;
}

/** Docker's profile (moby's format: archMap, includes/excludes) as the
 * linux.seccomp object moby generates for an amd64 host and these capabilities. */
export function dockerSeccomp(caps: string[], profile = JSON.parse(readFileSync(DOCKER_PROFILE, 'utf8'))): any {
  const native = profile.archMap.find((a: any) => a.architecture === 'SCMP_ARCH_X86_64');
  const syscalls = [];
  for (const c of profile.syscalls) {
    const inc = c.includes ?? {}, exc = c.excludes ?? {};
    if (inc.arches?.length && !inc.arches.includes('amd64')) continue;
    if (inc.caps?.length && !inc.caps.every((x: string) => caps.includes(x))) continue;
    if (exc.arches?.length && exc.arches.includes('amd64')) continue;
    if (exc.caps?.length && exc.caps.some((x: string) => caps.includes(x))) continue;
    const s: any = { names: c.names, action: c.action };
    if (c.args?.length) s.args = c.args;
    if (c.errnoRet !== undefined) s.errnoRet = c.errnoRet;
    syscalls.push(s);
  }
  return {
    defaultAction: profile.defaultAction,
    defaultErrnoRet: profile.defaultErrnoRet,
    architectures: [native.architecture, ...native.subArchitectures],
    syscalls,
  };
}

const PROBE_C = String.raw`
/* scprobe CALL...: CALL is "nr[,arg0[,arg1...]]" (strtoull syntax, 0x ok);
 * makes each syscall in turn and prints "CALL ret=R errno=E". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    unsigned long long v[7] = { 0 };
    int n = 0;
    for (char *p = argv[i]; n < 7 && *p; ) { v[n++] = strtoull(p, &p, 0); if (*p == ',') p++; }
    errno = 0;
    long r = syscall((long)v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    printf("%s ret=%ld errno=%d\n", argv[i], r, r < 0 ? errno : 0);
    fflush(stdout);
  }
  return 0;
}
`;

const DUMP_C = String.raw`
/* scdump PID: prints each seccomp filter of PID as "filter I N" then N lines
 * "code jt jf k" (PTRACE_SECCOMP_GET_FILTER needs a ptrace-stopped tracee). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <linux/filter.h>
#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
int main(int argc, char **argv) {
  if (argc != 2) return 2;
  pid_t pid = atoi(argv[1]);
  int st;
  if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0 || ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0 || waitpid(pid, &st, __WALL) < 0) {
    perror("attach");
    return 1;
  }
  for (long idx = 0;; idx++) {
    long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)idx, NULL);
    if (n < 0) break;
    struct sock_filter *f = calloc(n, sizeof *f);
    if (!f || ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)idx, f) != n) { perror("get filter"); return 1; }
    printf("filter %ld %ld\n", idx, n);
    for (long i = 0; i < n; i++) printf("%u %u %u %u\n", f[i].code, f[i].jt, f[i].jf, f[i].k);
    free(f);
  }
  ptrace(PTRACE_DETACH, pid, 0, 0);
  return 0;
}
`;

const BENCH_C = String.raw`
/* scbench CONFIG N: compiles CONFIG's linux.seccomp N times with the runtime's
 * own compiler; prints "insns=I ns_per_compile=T". */
#include "seccomp.h"
#include <time.h>
int main(int argc, char **argv) {
  if (argc != 3) return 2;
  berth_error err;
  json_value *doc = json_parse_file(argv[1], &err);
  if (!doc) { fprintf(stderr, "%s\n", err.msg); return 1; }
  const json_value *sc = json_get(json_get(doc, "linux"), "seccomp");
  long n = atol(argv[2]);
  size_t len = 0;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    struct sock_filter *f;
    if (berth_seccomp_compile(sc, &f, &len, &err) < 0) { fprintf(stderr, "%s\n", err.msg); return 1; }
    free(f);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("insns=%zu ns_per_compile=%.0f\n", len, ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
  json_free(doc);
  return 0;
}
`;

function gcc(dir: string, name: string, src: string, out: string, extra: string[] = []): string {
  const c = join(dir, `${name}.c`);
  writeFileSync(c, src);
  execFileSync('gcc', ['-O2', '-Wall', '-D_GNU_SOURCE', '-o', out, c, ...extra], { stdio: 'pipe' });
  return out;
}

/** Installs /bin/scprobe (static) in the sandbox rootfs. */
export function buildProbe(sb: Sandbox): void {
  gcc(sb.dir, 'scprobe', PROBE_C, join(sb.rootfs, 'bin/scprobe'), ['-static']);
}

export function buildDump(sb: Sandbox): string {
  return gcc(sb.dir, 'scdump', DUMP_C, join(sb.dir, 'scdump'));
}

/** The compile benchmark links the runtime's seccomp sources (not a test of behaviour). */
export function buildBench(sb: Sandbox): string {
  const srcs = ['seccomp_bpf.c', 'seccomp_compile.c', 'seccomp_install.c', 'seccomp_parse.c', 'seccomp_syscalls.c']
    .map((f) => join(NATIVE, 'runtime', f));
  return gcc(sb.dir, 'scbench', BENCH_C, join(sb.dir, 'scbench'),
    ['-I', join(NATIVE, 'common'), '-I', join(NATIVE, 'runtime'), ...srcs, join(NATIVE, 'common/json.c'), join(NATIVE, 'common/error.c')]);
}

export type Insn = { code: number; jt: number; jf: number; k: number };

/** The filters installed in process `pid`, newest first, as read from the kernel. */
export function readFilters(dump: string, pid: number): Insn[][] {
  const out = execFileSync(dump, [String(pid)], { encoding: 'utf8' });
  const filters: Insn[][] = [];
  for (const line of out.trim().split('\n')) {
    if (line.startsWith('filter ')) { filters.push([]); continue; }
    const [code, jt, jf, k] = line.split(' ').map(Number);
    filters[filters.length - 1].push({ code, jt, jf, k });
  }
  return filters;
}

export type SeccompData = { nr: number; arch: number; args?: bigint[] };

/** Runs a classic-BPF seccomp program on one seccomp_data (the kernel's semantics). */
export function evalFilter(prog: Insn[], d: SeccompData): number {
  const words = new Uint32Array(16);
  words[0] = d.nr >>> 0;
  words[1] = d.arch >>> 0;
  (d.args ?? []).forEach((a, i) => {
    words[4 + 2 * i] = Number(a & 0xffffffffn);
    words[5 + 2 * i] = Number((a >> 32n) & 0xffffffffn);
  });
  let A = 0, X = 0, pc = 0;
  const mem = new Uint32Array(16);
  for (let steps = 0; pc < prog.length && steps < 100_000; steps++) {
    const { code, jt, jf, k } = prog[pc];
    const src = code & 0x08 ? X : k;
    switch (code) {
      case 0x20: A = words[k / 4]; pc++; break;             // ld [k]
      case 0x00: A = k >>> 0; pc++; break;                   // ld #k
      case 0x01: X = k >>> 0; pc++; break;                   // ldx #k
      case 0x60: A = mem[k]; pc++; break;                    // ld M[k]
      case 0x61: X = mem[k]; pc++; break;                    // ldx M[k]
      case 0x02: mem[k] = A; pc++; break;                    // st M[k]
      case 0x03: mem[k] = X; pc++; break;                    // stx M[k]
      case 0x07: X = A; pc++; break;                         // tax
      case 0x87: A = X; pc++; break;                         // txa
      case 0x54: case 0x5c: A = (A & src) >>> 0; pc++; break; // and
      case 0x44: case 0x4c: A = (A | src) >>> 0; pc++; break; // or
      case 0x05: pc += 1 + k; break;                         // ja
      case 0x15: case 0x1d: pc += 1 + (A === src >>> 0 ? jt : jf); break;
      case 0x25: case 0x2d: pc += 1 + (A > src >>> 0 ? jt : jf); break;
      case 0x35: case 0x3d: pc += 1 + (A >= src >>> 0 ? jt : jf); break;
      case 0x45: case 0x4d: pc += 1 + ((A & src) !== 0 ? jt : jf); break;
      case 0x06: return k >>> 0;                             // ret #k
      case 0x16: return A >>> 0;                             // ret a
      default: throw new Error(`unsupported BPF opcode 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('BPF program ran off its end');
}

export function retName(r: number): string {
  const action = (r & 0xffff0000) >>> 0;
  const name = Object.entries(RET).find(([, v]) => v >>> 0 === action)?.[0] ?? `0x${action.toString(16)}`;
  return action === RET.ERRNO || action === RET.TRACE ? `${name}(${r & 0xffff})` : name;
}

/** runc on the same kind of bundle, for comparisons. */
export class Runc {
  readonly root: string;
  readonly ids = new Set<string>();
  constructor(private sb: Sandbox) { this.root = join(sb.dir, 'runc-root'); }

  rt(args: string[]): { code: number; out: string; err: string } {
    const outPath = join(this.sb.dir, `runc-out-${Math.random()}`), errPath = `${outPath}.err`;
    const out = openSync(outPath, 'w'), err = openSync(errPath, 'w');
    const r = spawnSync('runc', ['--root', this.root, ...args], { stdio: ['ignore', out, err], timeout: 30_000 });
    closeSync(out); closeSync(err);
    return { code: r.status ?? 128 + 9, out: readFileSync(outPath, 'utf8'), err: readFileSync(errPath, 'utf8') };
  }

  run(id: string, bundle: string, detach = false) {
    this.ids.add(id);
    const r = this.rt(['run', ...(detach ? ['-d'] : []), '--bundle', bundle, id]);
    if (!detach) this.rt(['delete', '--force', id]);
    return r;
  }

  pid(id: string): number {
    return JSON.parse(this.rt(['state', id]).out).pid;
  }

  cleanup(): void {
    for (const id of this.ids) this.rt(['delete', '--force', id]);
    this.ids.clear();
  }
}
