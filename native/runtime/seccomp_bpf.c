/* A tiny classic-BPF assembler for the seccomp compiler: instructions are
 * appended with symbolic labels as jump targets, and berth_sc_link() lays them
 * out. Conditional jumps only reach 255 instructions ahead; a farther target
 * gets a trampoline (an unconditional JA, whose offset is 32 bits) placed
 * right after the jump. Adding trampolines moves code, so layout repeats until
 * no new one is needed; a jump's trampoline flag is never cleared, so this
 * terminates. */
#include "seccomp.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static bool is_cond_jump(uint16_t code) {
  return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

static bool is_ja(uint16_t code) {
  return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) == BPF_JA;
}

int berth_sc_label(berth_sc_prog *p) {
  if (p->nlabels == p->labels_cap) {
    size_t cap = p->labels_cap ? p->labels_cap * 2 : 64;
    size_t *l = realloc(p->label_at, cap * sizeof *l);
    if (!l) { p->oom = true; return 0; }
    p->label_at = l;
    p->labels_cap = cap;
  }
  p->label_at[p->nlabels] = SIZE_MAX;
  return (int)p->nlabels++;
}

void berth_sc_bind(berth_sc_prog *p, int label) {
  if (p->oom) return;
  p->label_at[label] = p->n;
}

void berth_sc_jump(berth_sc_prog *p, uint16_t code, uint32_t k, int jt, int jf) {
  if (p->oom) return;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 256;
    berth_sc_ir *ins = realloc(p->ins, cap * sizeof *ins);
    if (!ins) { p->oom = true; return; }
    p->ins = ins;
    p->cap = cap;
  }
  p->ins[p->n++] = (berth_sc_ir){ .code = code, .k = k, .jt = jt, .jf = jf, .tramp = 0 };
}

void berth_sc_stmt(berth_sc_prog *p, uint16_t code, uint32_t k) {
  berth_sc_jump(p, code, k, -1, -1);
}

void berth_sc_prog_free(berth_sc_prog *p) {
  free(p->ins);
  free(p->label_at);
  memset(p, 0, sizeof *p);
}

/* Instructions one IR entry occupies: itself plus its trampolines. */
static size_t ir_size(const berth_sc_ir *in) {
  return 1 + (in->tramp & 1) + ((in->tramp >> 1) & 1);
}

/* Positions of every IR entry (pos[n] = total length). */
static void layout(const berth_sc_prog *p, size_t *pos) {
  size_t at = 0;
  for (size_t i = 0; i < p->n; i++) {
    pos[i] = at;
    at += ir_size(&p->ins[i]);
  }
  pos[p->n] = at;
}

static int check_labels(const berth_sc_prog *p, berth_error *err) {
  for (size_t i = 0; i < p->n; i++) {
    const berth_sc_ir *in = &p->ins[i];
    if (!is_cond_jump(in->code) && !is_ja(in->code)) continue;
    int t[2] = { in->jt, is_ja(in->code) ? in->jt : in->jf };
    for (int s = 0; s < 2; s++) {
      if (t[s] < 0 || (size_t)t[s] >= p->nlabels || p->label_at[t[s]] >= p->n)
        return berth_fail(err, 0, "seccomp: internal error: instruction %zu jumps to an unbound label", i);
      if (p->label_at[t[s]] <= i)
        return berth_fail(err, 0, "seccomp: internal error: instruction %zu jumps backwards", i);
    }
  }
  return 0;
}

int berth_sc_link(berth_sc_prog *p, struct sock_filter **out, size_t *out_len, berth_error *err) {
  if (p->oom) return berth_fail(err, ENOMEM, "seccomp: building the filter");
  if (p->n == 0) return berth_fail(err, 0, "seccomp: internal error: empty program");
  if (check_labels(p, err) < 0) return -1;
  _cleanup_free_ size_t *pos = malloc((p->n + 1) * sizeof *pos);
  if (!pos) return berth_fail(err, ENOMEM, "seccomp: linking the filter");
  for (bool changed = true; changed;) {
    changed = false;
    layout(p, pos);
    for (size_t i = 0; i < p->n; i++) {
      berth_sc_ir *in = &p->ins[i];
      if (!is_cond_jump(in->code)) continue;
      if (!(in->tramp & 1) && pos[p->label_at[in->jt]] - pos[i] - 1 > 255) { in->tramp |= 1; changed = true; }
      if (!(in->tramp & 2) && pos[p->label_at[in->jf]] - pos[i] - 1 > 255) { in->tramp |= 2; changed = true; }
    }
  }
  size_t total = pos[p->n];
  if (total > BPF_MAXINSNS)
    return berth_fail(err, 0, "seccomp: the filter needs %zu BPF instructions, more than the kernel's limit of %d", total, BPF_MAXINSNS);
  struct sock_filter *prog = calloc(total, sizeof *prog);
  if (!prog) return berth_fail(err, ENOMEM, "seccomp: linking the filter");
  for (size_t i = 0; i < p->n; i++) {
    const berth_sc_ir *in = &p->ins[i];
    size_t at = pos[i];
    struct sock_filter *f = &prog[at];
    f->code = in->code;
    f->k = in->k;
    if (is_ja(in->code)) {
      f->k = (uint32_t)(pos[p->label_at[in->jt]] - at - 1);
    } else if (is_cond_jump(in->code)) {
      size_t next = at + 1;
      if (in->tramp & 1) {
        f->jt = (uint8_t)(next - at - 1);
        prog[next] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(pos[p->label_at[in->jt]] - next - 1), 0, 0);
        next++;
      } else {
        f->jt = (uint8_t)(pos[p->label_at[in->jt]] - at - 1);
      }
      if (in->tramp & 2) {
        f->jf = (uint8_t)(next - at - 1);
        prog[next] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(pos[p->label_at[in->jf]] - next - 1), 0, 0);
      } else {
        f->jf = (uint8_t)(pos[p->label_at[in->jf]] - at - 1);
      }
    }
  }
  if (BPF_CLASS(prog[total - 1].code) != BPF_RET) {
    free(prog);
    return berth_fail(err, 0, "seccomp: internal error: the program does not end with a return");
  }
  *out = prog;
  *out_len = total;
  return 0;
}
