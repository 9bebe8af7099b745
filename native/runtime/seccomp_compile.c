/* Compiles the seccomp model to classic BPF.
 *
 * Layout: load seccomp_data.arch and branch to one section per audit arch
 * (x86_64 and x32 share AUDIT_ARCH_X86_64 and are told apart by the x32 bit of
 * the syscall number); any other arch gets SECCOMP_RET_KILL_PROCESS. A section
 * is a binary search over the syscall-number line cut into intervals that
 * share an outcome (consecutive calls with the same unconditional action form
 * one interval, gaps take the default action), so the cost is log2(intervals)
 * compares and about one instruction per interval. Calls with argument rules
 * (64-bit compares on x86_64, low 32 bits on i386 and x32)
 * branch to a block that tests the rules in order: the first rule whose
 * conditions all hold decides, none holding means the default action. Returns
 * are pooled at the end of each section. */
#include "seccomp.h"

#include <errno.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#define X32_BIT 0x40000000u
#define OFF_NR 0
#define OFF_ARCH 4
#define OFF_ARG_LO(i) (16 + 8 * (i)) /* little-endian: low word first */
#define OFF_ARG_HI(i) (20 + 8 * (i))

typedef struct { uint32_t ret; int label; } pooled;
typedef struct {
  berth_sc_prog *prog;
  const berth_sc_profile *prof;
  pooled pool[64]; size_t npool;
  bool overflow;
} section;

/* Label of a shared "return ret" at the end of the section. */
static int ret_label(section *s, uint32_t ret) {
  for (size_t k = 0; k < s->npool; k++) if (s->pool[k].ret == ret) return s->pool[k].label;
  if (s->npool == sizeof s->pool / sizeof s->pool[0]) { s->overflow = true; return s->pool[0].label; }
  s->pool[s->npool] = (pooled){ ret, berth_sc_label(s->prog) };
  return s->pool[s->npool++].label;
}

static void emit_pool(section *s) {
  for (size_t k = 0; k < s->npool; k++) {
    berth_sc_bind(s->prog, s->pool[k].label);
    berth_sc_stmt(s->prog, BPF_RET | BPF_K, s->pool[k].ret);
  }
}

static void ja(berth_sc_prog *p, int target) { berth_sc_jump(p, BPF_JMP | BPF_JA, 0, target, -1); }

/* A = word at off (& mask when mask != ~0); jump on A <jop> k. */
static void cmp_word(berth_sc_prog *p, uint32_t off, uint32_t mask, uint16_t jop, uint32_t k, int t, int f) {
  berth_sc_stmt(p, BPF_LD | BPF_W | BPF_ABS, off);
  if (mask != 0xffffffffu) berth_sc_stmt(p, BPF_ALU | BPF_AND | BPF_K, mask);
  berth_sc_jump(p, BPF_JMP | jop | BPF_K, k, t, f);
}

/* Jump to t when condition c holds for the 64-bit argument, else to f. On a
 * 32-bit arch the high word is zero, so its test is decided here. */
static void emit_cond(berth_sc_prog *p, const berth_sc_cond *c, int t, int f, bool is32) {
  uint32_t lo = OFF_ARG_LO(c->index), hi = OFF_ARG_HI(c->index);
  uint32_t vlo = (uint32_t)c->value, vhi = (uint32_t)(c->value >> 32);
  switch (c->op) {
  case BERTH_SC_NE: { berth_sc_cond eq = *c; eq.op = BERTH_SC_EQ; emit_cond(p, &eq, f, t, is32); return; }
  case BERTH_SC_LT: { berth_sc_cond ge = *c; ge.op = BERTH_SC_GE; emit_cond(p, &ge, f, t, is32); return; }
  case BERTH_SC_LE: { berth_sc_cond gt = *c; gt.op = BERTH_SC_GT; emit_cond(p, &gt, f, t, is32); return; }
  case BERTH_SC_EQ:
    if (is32) {
      if (vhi) ja(p, f); else cmp_word(p, lo, ~0u, BPF_JEQ, vlo, t, f);
      return;
    } else {
      int n = berth_sc_label(p);
      cmp_word(p, hi, ~0u, BPF_JEQ, vhi, n, f);
      berth_sc_bind(p, n);
      cmp_word(p, lo, ~0u, BPF_JEQ, vlo, t, f);
      return;
    }
  case BERTH_SC_MASKED_EQ: {
    uint32_t mlo = (uint32_t)c->value, mhi = (uint32_t)(c->value >> 32);
    /* Bits of valueTwo outside the mask are ignored, as libseccomp does. */
    uint64_t d = c->value_two & c->value;
    uint32_t dlo = (uint32_t)d, dhi = (uint32_t)(d >> 32);
    if (is32 || mhi == 0) {
      if (dhi != 0) { ja(p, f); return; } /* (arg & mask) has a zero high word */
    } else {
      int n = berth_sc_label(p);
      cmp_word(p, hi, mhi, BPF_JEQ, dhi, n, f);
      berth_sc_bind(p, n);
    }
    if (mlo == 0) ja(p, dlo == 0 ? t : f);
    else cmp_word(p, lo, mlo, BPF_JEQ, dlo, t, f);
    return;
  }
  case BERTH_SC_GE:
  case BERTH_SC_GT: {
    uint16_t jop = c->op == BERTH_SC_GT ? BPF_JGT : BPF_JGE;
    if (is32) {
      if (vhi) ja(p, f); else cmp_word(p, lo, ~0u, jop, vlo, t, f);
      return;
    }
    /* hi > vhi: true; hi < vhi: false; equal: decided by the low words. */
    int n1 = berth_sc_label(p), n2 = berth_sc_label(p);
    cmp_word(p, hi, ~0u, BPF_JGT, vhi, t, n1);
    berth_sc_bind(p, n1);
    berth_sc_jump(p, BPF_JMP | BPF_JEQ | BPF_K, vhi, n2, f);
    berth_sc_bind(p, n2);
    cmp_word(p, lo, ~0u, jop, vlo, t, f);
    return;
  }
  }
}

typedef struct { uint32_t nr; size_t rule; } pair;
typedef struct { uint32_t nr; size_t *rules; size_t n; int target; } group;
typedef struct { uint32_t start; int target; } interval;

static int cmp_pair(const void *a, const void *b) {
  const pair *x = a, *y = b;
  if (x->nr != y->nr) return x->nr < y->nr ? -1 : 1;
  return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Binary search over ivs[lo..hi] (hi > lo); A holds the syscall number. */
static void emit_tree(berth_sc_prog *p, const interval *ivs, size_t lo, size_t hi) {
  size_t mid = (lo + hi + 1) / 2;
  int left = mid - 1 == lo ? ivs[lo].target : berth_sc_label(p);
  int right = mid == hi ? ivs[hi].target : berth_sc_label(p);
  berth_sc_jump(p, BPF_JMP | BPF_JGE | BPF_K, ivs[mid].start, right, left);
  if (mid - 1 != lo) { berth_sc_bind(p, left); emit_tree(p, ivs, lo, mid - 1); }
  if (mid != hi) { berth_sc_bind(p, right); emit_tree(p, ivs, mid, hi); }
}

/* The rules of one arch, with A = syscall number on entry. */
static int emit_dispatch(section *s, berth_sc_arch arch, berth_error *err) {
  const berth_sc_profile *pr = s->prof;
  berth_sc_prog *p = s->prog;
  /* x32 passes 64-bit registers, but its ABI (like libseccomp, hence runc)
   * treats arguments as 32-bit: only the low words are compared there. */
  bool is32 = arch == BERTH_SC_ARCH_X86 || arch == BERTH_SC_ARCH_X32;
  uint32_t def = pr->default_action;
  size_t npairs = 0, cap = 0;
  for (size_t r = 0; r < pr->nrules; r++) cap += pr->rules[r].nnames;
  _cleanup_free_ pair *pairs = malloc((cap ? cap : 1) * sizeof *pairs);
  _cleanup_free_ group *groups = malloc((cap ? cap : 1) * sizeof *groups);
  _cleanup_free_ interval *ivs = malloc((2 * cap + 2) * sizeof *ivs);
  _cleanup_free_ size_t *rules = malloc((cap ? cap : 1) * sizeof *rules);
  if (!pairs || !groups || !ivs || !rules) return berth_fail(err, ENOMEM, "seccomp: compiling");
  for (size_t r = 0; r < pr->nrules; r++)
    for (size_t k = 0; k < pr->rules[r].nnames; k++) {
      int64_t nr = berth_sc_lookup(arch, pr->rules[r].names[k]);
      if (nr >= 0) pairs[npairs++] = (pair){ (uint32_t)nr, r };
    }
  qsort(pairs, npairs, sizeof *pairs, cmp_pair);

  /* One group per syscall: its rules in order, cut after the first one without
   * conditions (later ones never run) and stripped of trailing rules that
   * give the default action anyway. */
  size_t ngroups = 0, nrules = 0;
  for (size_t k = 0; k < npairs;) {
    group *g = &groups[ngroups];
    g->nr = pairs[k].nr;
    g->rules = &rules[nrules];
    g->n = 0;
    bool closed = false;
    for (; k < npairs && pairs[k].nr == g->nr; k++) {
      if (closed || (g->n && g->rules[g->n - 1] == pairs[k].rule)) continue;
      g->rules[g->n++] = pairs[k].rule;
      closed = pr->rules[pairs[k].rule].nconds == 0;
    }
    while (g->n && pr->rules[g->rules[g->n - 1]].action == def) g->n--;
    if (g->n == 0) continue;
    nrules += g->n;
    const berth_sc_rule *first = &pr->rules[g->rules[0]];
    if (first->nconds == 0) {
      g->target = ret_label(s, first->action);
    } else {
      g->target = -1;
      for (size_t j = 0; j < ngroups && g->target < 0; j++)
        if (groups[j].n == g->n && memcmp(groups[j].rules, g->rules, g->n * sizeof *g->rules) == 0 &&
            pr->rules[groups[j].rules[0]].nconds)
          g->target = groups[j].target;
      if (g->target < 0) g->target = berth_sc_label(p);
    }
    ngroups++;
  }

  /* Cut the number line into intervals of equal outcome. */
  int dl = ret_label(s, def);
  size_t niv = 0;
  uint64_t next = 0;
  for (size_t k = 0; k <= ngroups; k++) {
    if (k == ngroups ? next <= 0xffffffffu : groups[k].nr > next)
      if (niv == 0 || ivs[niv - 1].target != dl) ivs[niv++] = (interval){ (uint32_t)next, dl };
    if (k == ngroups) break;
    if (niv == 0 || ivs[niv - 1].target != groups[k].target) ivs[niv++] = (interval){ groups[k].nr, groups[k].target };
    next = (uint64_t)groups[k].nr + 1;
  }
  if (niv == 1) ja(p, ivs[0].target);
  else emit_tree(p, ivs, 0, niv - 1);

  /* Argument blocks, each emitted once however many syscalls share it. */
  for (size_t k = 0; k < ngroups; k++) {
    const group *g = &groups[k];
    bool dup = pr->rules[g->rules[0]].nconds == 0;
    for (size_t j = 0; j < k && !dup; j++) dup = groups[j].target == g->target;
    if (dup) continue;
    berth_sc_bind(p, g->target);
    for (size_t r = 0; r < g->n; r++) {
      const berth_sc_rule *rule = &pr->rules[g->rules[r]];
      int fail = r + 1 == g->n ? dl : berth_sc_label(p);
      int ok = ret_label(s, rule->action);
      if (rule->nconds == 0) ja(p, ok);
      for (size_t c = 0; c < rule->nconds; c++) {
        int t = c + 1 == rule->nconds ? ok : berth_sc_label(p);
        emit_cond(p, &rule->conds[c], t, fail, is32);
        if (c + 1 < rule->nconds) berth_sc_bind(p, t);
      }
      if (r + 1 < g->n) berth_sc_bind(p, fail);
    }
  }
  return 0;
}

/* One section: entered with nothing loaded, ends with its pooled returns. The
 * AUDIT_ARCH_X86_64 section first sends numbers with the x32 bit to the x32
 * section (x32_entry), or kills when x32 is not listed. */
static int emit_section(berth_sc_prog *p, const berth_sc_profile *pr, berth_sc_arch arch, int entry,
                        int x32_entry, berth_error *err) {
  section s = { .prog = p, .prof = pr };
  berth_sc_bind(p, entry);
  berth_sc_stmt(p, BPF_LD | BPF_W | BPF_ABS, OFF_NR);
  bool dispatch = true;
  if (arch == BERTH_SC_ARCH_X86_64) {
    dispatch = pr->arch_mask & (1u << BERTH_SC_ARCH_X86_64);
    int x32 = x32_entry >= 0 ? x32_entry : ret_label(&s, SECCOMP_RET_KILL_PROCESS);
    int go = dispatch ? berth_sc_label(p) : ret_label(&s, SECCOMP_RET_KILL_PROCESS);
    berth_sc_jump(p, BPF_JMP | BPF_JGE | BPF_K, X32_BIT, x32, go);
    if (dispatch) berth_sc_bind(p, go);
  }
  if (dispatch && emit_dispatch(&s, arch, err) < 0) return -1;
  emit_pool(&s);
  if (s.overflow) return berth_fail(err, 0, "seccomp: too many distinct actions (at most %zu per architecture)", sizeof s.pool / sizeof s.pool[0]);
  return 0;
}

int berth_sc_generate(const berth_sc_profile *pr, struct sock_filter **out, size_t *out_len, berth_error *err) {
  berth_sc_prog p = { 0 };
  bool has64 = pr->arch_mask & ((1u << BERTH_SC_ARCH_X86_64) | (1u << BERTH_SC_ARCH_X32));
  bool has_x32 = pr->arch_mask & (1u << BERTH_SC_ARCH_X32);
  bool has32 = pr->arch_mask & (1u << BERTH_SC_ARCH_X86);
  int sec64 = berth_sc_label(&p), sec32 = berth_sc_label(&p), secx32 = berth_sc_label(&p);
  int n1 = berth_sc_label(&p), n2 = berth_sc_label(&p);
  berth_sc_stmt(&p, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH);
  if (has64) { berth_sc_jump(&p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, sec64, n1); berth_sc_bind(&p, n1); }
  if (has32) { berth_sc_jump(&p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, sec32, n2); berth_sc_bind(&p, n2); }
  berth_sc_stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  int r = 0;
  if (has64) r = emit_section(&p, pr, BERTH_SC_ARCH_X86_64, sec64, has_x32 ? secx32 : -1, err);
  if (r == 0 && has_x32) r = emit_section(&p, pr, BERTH_SC_ARCH_X32, secx32, -1, err);
  if (r == 0 && has32) r = emit_section(&p, pr, BERTH_SC_ARCH_X86, sec32, -1, err);
  if (r == 0) r = berth_sc_link(&p, out, out_len, err);
  berth_sc_prog_free(&p);
  return r;
}

int berth_seccomp_compile(const json_value *sc, struct sock_filter **out, size_t *out_len, berth_error *err) {
  *out = NULL;
  *out_len = 0;
  if (!sc || sc->type == JSON_NULL) return 0;
  berth_sc_profile pr;
  if (berth_sc_parse(sc, &pr, err) < 0) return -1;
  int r = berth_sc_generate(&pr, out, out_len, err);
  berth_sc_profile_free(&pr);
  return r;
}
