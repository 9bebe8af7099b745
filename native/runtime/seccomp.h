/* runtime-spec linux.seccomp: compile to classic BPF and install.
 *
 * berth_seccomp_compile() validates and compiles the object (no syscalls, so it
 * is safe to call at create time before forking). berth_seccomp_install()
 * compiles and then loads the program into the calling thread with
 * seccomp(SECCOMP_SET_MODE_FILTER), passing the flags listed in the object's
 * "flags" (SECCOMP_FILTER_FLAG_TSYNC / _LOG / _SPEC_ALLOW). The caller has
 * already set no_new_privs or still holds CAP_SYS_ADMIN. A NULL or JSON null
 * object is "no seccomp": compile returns an empty program, install does
 * nothing.
 *
 * Install it as late as possible (right before execve): every syscall the init
 * makes after it is filtered too. */
#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

#include "json.h"
#include "error.h"

int berth_seccomp_install(const json_value *linux_seccomp, berth_error *err);

/* On success *out is malloc'd (NULL when *out_len == 0); free() it. */
int berth_seccomp_compile(const json_value *linux_seccomp, struct sock_filter **out,
                          size_t *out_len, berth_error *err);

/* ---- internal to native/runtime/seccomp*.c ---- */

/* Architectures we have syscall tables for (bit numbers of an arch mask). */
typedef enum { BERTH_SC_ARCH_X86_64, BERTH_SC_ARCH_X86, BERTH_SC_ARCH_X32, BERTH_SC_NARCH } berth_sc_arch;

/* seccomp_syscalls.c (generated): per-arch tables sorted by name. */
typedef struct { const char *name; uint32_t nr; } berth_sc_syscall;
typedef struct { berth_sc_arch arch; const berth_sc_syscall *calls; size_t n; } berth_sc_table;
extern const berth_sc_table berth_sc_tables[];
extern const size_t berth_sc_ntables;

/* seccomp_parse.c: the JSON object as a checked model. */
typedef enum { BERTH_SC_NE, BERTH_SC_LT, BERTH_SC_LE, BERTH_SC_EQ, BERTH_SC_GE, BERTH_SC_GT, BERTH_SC_MASKED_EQ } berth_sc_op;
typedef struct { unsigned index; berth_sc_op op; uint64_t value, value_two; } berth_sc_cond;
typedef struct {
  uint32_t action;               /* SECCOMP_RET_* with its data */
  const char **names; size_t nnames; /* borrowed from the JSON */
  berth_sc_cond *conds; size_t nconds; /* all must hold */
} berth_sc_rule;
typedef struct {
  uint32_t default_action;
  unsigned arch_mask;            /* 1u << berth_sc_arch */
  unsigned flags;                /* SECCOMP_FILTER_FLAG_* */
  berth_sc_rule *rules; size_t nrules;
} berth_sc_profile;

int berth_sc_parse(const json_value *sc, berth_sc_profile *p, berth_error *err);
void berth_sc_profile_free(berth_sc_profile *p);
/* Syscall number of `name` on `arch`, or -1 when the arch has no such call. */
int64_t berth_sc_lookup(berth_sc_arch arch, const char *name);

/* seccomp_bpf.c: an instruction list with symbolic jump targets; linking
 * resolves labels and turns conditional jumps farther than 255 into short
 * jumps to JA trampolines. All jumps must go forward. */
typedef struct { uint16_t code; uint32_t k; int jt, jf; unsigned tramp; } berth_sc_ir;
typedef struct {
  berth_sc_ir *ins; size_t n, cap;
  size_t *label_at; size_t nlabels, labels_cap; /* SIZE_MAX: not bound yet */
  bool oom;
} berth_sc_prog;

int berth_sc_label(berth_sc_prog *p);                 /* a new unbound label */
void berth_sc_bind(berth_sc_prog *p, int label);      /* at the next instruction */
void berth_sc_stmt(berth_sc_prog *p, uint16_t code, uint32_t k);
void berth_sc_jump(berth_sc_prog *p, uint16_t code, uint32_t k, int jt, int jf); /* JA: jt only */
int berth_sc_link(berth_sc_prog *p, struct sock_filter **out, size_t *out_len, berth_error *err);
void berth_sc_prog_free(berth_sc_prog *p);

/* seccomp_compile.c: model -> program. */
int berth_sc_generate(const berth_sc_profile *p, struct sock_filter **out, size_t *out_len, berth_error *err);

#endif
