/* Reads the runtime-spec linux.seccomp object into a checked model: actions
 * become SECCOMP_RET_* values, architectures an arch mask, flags the
 * SECCOMP_FILTER_FLAG_* bits. Syscall names stay names here (the compiler
 * looks them up per architecture); unknown names are not an error, unknown
 * actions, operators, architectures and flags are. */
#include "seccomp.h"

#include <errno.h>
#include <string.h>
#include <linux/seccomp.h>

#define F "linux.seccomp"

static const struct { const char *name; uint32_t ret; bool takes_errno; } actions[] = {
  { "SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD, false },
  { "SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD, false },
  { "SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, false },
  { "SCMP_ACT_TRAP", SECCOMP_RET_TRAP, false },
  { "SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO, true },
  { "SCMP_ACT_TRACE", SECCOMP_RET_TRACE, true },
  { "SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW, false },
  { "SCMP_ACT_LOG", SECCOMP_RET_LOG, false },
};

static const char *ops[] = {
  [BERTH_SC_NE] = "SCMP_CMP_NE", [BERTH_SC_LT] = "SCMP_CMP_LT", [BERTH_SC_LE] = "SCMP_CMP_LE",
  [BERTH_SC_EQ] = "SCMP_CMP_EQ", [BERTH_SC_GE] = "SCMP_CMP_GE", [BERTH_SC_GT] = "SCMP_CMP_GT",
  [BERTH_SC_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const struct { const char *name; int arch; } arches[] = {
  { "SCMP_ARCH_X86_64", BERTH_SC_ARCH_X86_64 }, { "SCMP_ARCH_X86", BERTH_SC_ARCH_X86 },
  { "SCMP_ARCH_X32", BERTH_SC_ARCH_X32 },
  /* Valid in the spec, but a kernel on this host never reports them: accepted and ignored. */
  { "SCMP_ARCH_ARM", -1 }, { "SCMP_ARCH_AARCH64", -1 }, { "SCMP_ARCH_MIPS", -1 }, { "SCMP_ARCH_MIPS64", -1 },
  { "SCMP_ARCH_MIPS64N32", -1 }, { "SCMP_ARCH_MIPSEL", -1 }, { "SCMP_ARCH_MIPSEL64", -1 },
  { "SCMP_ARCH_MIPSEL64N32", -1 }, { "SCMP_ARCH_PPC", -1 }, { "SCMP_ARCH_PPC64", -1 }, { "SCMP_ARCH_PPC64LE", -1 },
  { "SCMP_ARCH_S390", -1 }, { "SCMP_ARCH_S390X", -1 }, { "SCMP_ARCH_PARISC", -1 }, { "SCMP_ARCH_PARISC64", -1 },
  { "SCMP_ARCH_RISCV64", -1 }, { "SCMP_ARCH_LOONGARCH64", -1 }, { "SCMP_ARCH_M68K", -1 }, { "SCMP_ARCH_SH", -1 },
  { "SCMP_ARCH_SHEB", -1 },
};

static const struct { const char *name; unsigned flag; } flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};

int64_t berth_sc_lookup(berth_sc_arch arch, const char *name) {
  for (size_t t = 0; t < berth_sc_ntables; t++) {
    if (berth_sc_tables[t].arch != arch) continue;
    size_t lo = 0, hi = berth_sc_tables[t].n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp(name, berth_sc_tables[t].calls[mid].name);
      if (c == 0) return berth_sc_tables[t].calls[mid].nr;
      if (c < 0) hi = mid; else lo = mid + 1;
    }
  }
  return -1;
}

static int get_u64(const json_value *v, const char *what, uint64_t *out, berth_error *err) {
  if (!v || v->type != JSON_NUMBER || !(v->is_uint || (v->is_int && v->i >= 0)))
    return berth_fail(err, 0, "%s must be an integer between 0 and 18446744073709551615", what);
  *out = v->is_uint ? v->u : (uint64_t)v->i;
  return 0;
}

/* action + optional errnoRet (which only ERRNO and TRACE take; default EPERM). */
static int parse_action(const json_value *obj, const char *akey, const char *ekey, const char *where,
                        uint32_t *out, berth_error *err) {
  const char *name = json_get_string(obj, akey);
  if (!name) return berth_fail(err, 0, "%s.%s must be a string", where, akey);
  if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
    return berth_fail(err, 0, "%s.%s: SCMP_ACT_NOTIFY (seccomp user notification) is not supported yet", where, akey);
  size_t a = 0;
  while (a < sizeof actions / sizeof actions[0] && strcmp(actions[a].name, name) != 0) a++;
  if (a == sizeof actions / sizeof actions[0])
    return berth_fail(err, 0, "%s.%s: unknown action \"%s\" (expected SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, "
                      "SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW or SCMP_ACT_LOG)",
                      where, akey, name);
  uint64_t e = EPERM;
  const json_value *ev = json_get(obj, ekey);
  if (ev && ev->type != JSON_NULL) {
    char what[160];
    snprintf(what, sizeof what, "%s.%s", where, ekey);
    if (get_u64(ev, what, &e, err) < 0) return -1;
    if (!actions[a].takes_errno)
      return berth_fail(err, 0, "%s.%s is set, but action %s does not return an errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)",
                        where, ekey, name);
    if (e > SECCOMP_RET_DATA) return berth_fail(err, 0, "%s.%s %llu is out of range (0-65535)", where, ekey, (unsigned long long)e);
  }
  *out = actions[a].ret | (actions[a].takes_errno ? (uint32_t)e : 0);
  return 0;
}

static int parse_arg(const json_value *a, const char *where, berth_sc_cond *c, berth_error *err) {
  char what[160];
  if (!a || a->type != JSON_OBJECT) return berth_fail(err, 0, "%s must be an object", where);
  uint64_t idx;
  snprintf(what, sizeof what, "%s.index", where);
  if (get_u64(json_get(a, "index"), what, &idx, err) < 0) return -1;
  if (idx > 5) return berth_fail(err, 0, "%s.index %llu is out of range (syscalls have arguments 0-5)", where, (unsigned long long)idx);
  c->index = (unsigned)idx;
  snprintf(what, sizeof what, "%s.value", where);
  if (get_u64(json_get(a, "value"), what, &c->value, err) < 0) return -1;
  c->value_two = 0;
  const json_value *v2 = json_get(a, "valueTwo");
  snprintf(what, sizeof what, "%s.valueTwo", where);
  if (v2 && v2->type != JSON_NULL && get_u64(v2, what, &c->value_two, err) < 0) return -1;
  const char *op = json_get_string(a, "op");
  if (!op) return berth_fail(err, 0, "%s.op must be a string", where);
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
    if (strcmp(ops[k], op) == 0) { c->op = (berth_sc_op)k; return 0; }
  return berth_fail(err, 0, "%s.op: unknown operator \"%s\" (expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
                    "SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)", where, op);
}

static int add_rule(berth_sc_profile *p, const berth_sc_rule *r, berth_error *err) {
  berth_sc_rule *rules = realloc(p->rules, (p->nrules + 1) * sizeof *rules);
  if (!rules) return berth_fail(err, ENOMEM, F ".syscalls");
  p->rules = rules;
  p->rules[p->nrules++] = *r;
  return 0;
}

/* One syscalls[] entry. Conditions on distinct arguments must all hold; when
 * several name the same argument the entry means "any of them" (as runc
 * does), so it becomes one single-condition rule per condition. */
static int parse_syscall(berth_sc_profile *p, const json_value *e, size_t n, berth_error *err) {
  char where[96];
  snprintf(where, sizeof where, F ".syscalls[%zu]", n);
  if (!e || e->type != JSON_OBJECT) return berth_fail(err, 0, "%s must be an object", where);
  berth_sc_rule r = { 0 };
  if (parse_action(e, "action", "errnoRet", where, &r.action, err) < 0) return -1;
  const json_value *names = json_get(e, "names");
  const json_value *name = json_get(e, "name"); /* pre-1.0 spelling */
  if (names && names->type != JSON_NULL) {
    if (names->type != JSON_ARRAY) return berth_fail(err, 0, "%s.names must be an array of strings", where);
    if (!(r.names = calloc(names->len ? names->len : 1, sizeof *r.names))) return berth_fail(err, ENOMEM, "%s", where);
    for (size_t k = 0; k < names->len; k++) {
      if (names->items[k]->type != JSON_STRING) { free(r.names); return berth_fail(err, 0, "%s.names[%zu] must be a string", where, k); }
      r.names[r.nnames++] = names->items[k]->str;
    }
  } else if (name && name->type == JSON_STRING) {
    if (!(r.names = calloc(1, sizeof *r.names))) return berth_fail(err, ENOMEM, "%s", where);
    r.names[r.nnames++] = name->str;
  }
  if (r.nnames == 0) { free(r.names); return berth_fail(err, 0, "%s.names must list at least one syscall", where); }
  const json_value *args = json_get(e, "args");
  if (args && args->type != JSON_NULL && args->type != JSON_ARRAY) { free(r.names); return berth_fail(err, 0, "%s.args must be an array", where); }
  size_t nargs = args && args->type == JSON_ARRAY ? args->len : 0;
  berth_sc_cond conds[64];
  if (nargs > sizeof conds / sizeof conds[0]) { free(r.names); return berth_fail(err, 0, "%s.args: too many conditions (%zu)", where, nargs); }
  bool same_index = false;
  for (size_t k = 0; k < nargs; k++) {
    char aw[128];
    snprintf(aw, sizeof aw, "%s.args[%zu]", where, k);
    if (parse_arg(args->items[k], aw, &conds[k], err) < 0) { free(r.names); return -1; }
    for (size_t j = 0; j < k; j++) same_index |= conds[j].index == conds[k].index;
  }
  size_t nrules = same_index ? nargs : 1;
  for (size_t k = 0; k < nrules; k++) {
    berth_sc_rule one = r;
    one.nconds = same_index ? 1 : nargs;
    one.conds = NULL;
    /* Rule 0 owns r.names from here on; later rules get copies. */
    if (k > 0 && !(one.names = malloc(r.nnames * sizeof *one.names))) return berth_fail(err, ENOMEM, "%s", where);
    if (k > 0) memcpy(one.names, r.names, r.nnames * sizeof *one.names);
    if (one.nconds && !(one.conds = malloc(one.nconds * sizeof *one.conds))) {
      free(one.names); /* rule 0: r.names, not yet owned by the profile; later: a copy */
      return berth_fail(err, ENOMEM, "%s", where);
    }
    if (one.nconds) memcpy(one.conds, same_index ? &conds[k] : conds, one.nconds * sizeof *one.conds);
    if (add_rule(p, &one, err) < 0) {
      free(one.conds);
      free(one.names);
      return -1;
    }
  }
  return 0;
}

static int parse_names(const json_value *v, const char *key, berth_error *err,
                       int (*each)(berth_sc_profile *, const char *, berth_error *), berth_sc_profile *p) {
  if (!v || v->type == JSON_NULL) return 0;
  if (v->type != JSON_ARRAY) return berth_fail(err, 0, F ".%s must be an array of strings", key);
  for (size_t k = 0; k < v->len; k++) {
    if (v->items[k]->type != JSON_STRING) return berth_fail(err, 0, F ".%s[%zu] must be a string", key, k);
    if (each(p, v->items[k]->str, err) < 0) return -1;
  }
  return 0;
}

static int one_arch(berth_sc_profile *p, const char *name, berth_error *err) {
  for (size_t k = 0; k < sizeof arches / sizeof arches[0]; k++)
    if (strcmp(arches[k].name, name) == 0) {
      if (arches[k].arch >= 0) p->arch_mask |= 1u << arches[k].arch;
      return 0;
    }
  return berth_fail(err, 0, F ".architectures: unknown architecture \"%s\"", name);
}

static int one_flag(berth_sc_profile *p, const char *name, berth_error *err) {
  for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
    if (strcmp(flags[k].name, name) == 0) { p->flags |= flags[k].flag; return 0; }
  if (strcmp(name, "SECCOMP_FILTER_FLAG_NEW_LISTENER") == 0 || strcmp(name, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
    return berth_fail(err, 0, F ".flags: %s (seccomp user notification) is not supported yet", name);
  return berth_fail(err, 0, F ".flags: unknown flag \"%s\" (expected SECCOMP_FILTER_FLAG_TSYNC, "
                    "SECCOMP_FILTER_FLAG_LOG or SECCOMP_FILTER_FLAG_SPEC_ALLOW)", name);
}

void berth_sc_profile_free(berth_sc_profile *p) {
  for (size_t k = 0; k < p->nrules; k++) { free(p->rules[k].names); free(p->rules[k].conds); }
  free(p->rules);
  memset(p, 0, sizeof *p);
}

int berth_sc_parse(const json_value *sc, berth_sc_profile *p, berth_error *err) {
  memset(p, 0, sizeof *p);
  if (!sc || sc->type != JSON_OBJECT) return berth_fail(err, 0, F " must be an object");
  const char *lp = json_get_string(sc, "listenerPath");
  if (lp && *lp) return berth_fail(err, 0, F ".listenerPath: seccomp user notification is not supported yet");
  if (parse_action(sc, "defaultAction", "defaultErrnoRet", F, &p->default_action, err) < 0) return -1;
  if (parse_names(json_get(sc, "architectures"), "architectures", err, one_arch, p) < 0) return -1;
  const json_value *archs = json_get(sc, "architectures");
  if (!archs || archs->type == JSON_NULL || archs->len == 0) {
    /* None listed: the native architecture only (as libseccomp does). */
#if defined(__x86_64__) && !defined(__ILP32__)
    p->arch_mask = 1u << BERTH_SC_ARCH_X86_64;
#elif defined(__x86_64__)
    p->arch_mask = 1u << BERTH_SC_ARCH_X32;
#elif defined(__i386__)
    p->arch_mask = 1u << BERTH_SC_ARCH_X86;
#else
    return berth_fail(err, 0, F ": this host architecture has no syscall table");
#endif
  }
  if (parse_names(json_get(sc, "flags"), "flags", err, one_flag, p) < 0) return -1;
  const json_value *calls = json_get(sc, "syscalls");
  if (calls && calls->type != JSON_NULL && calls->type != JSON_ARRAY) return berth_fail(err, 0, F ".syscalls must be an array");
  for (size_t k = 0; calls && calls->type == JSON_ARRAY && k < calls->len; k++)
    if (parse_syscall(p, calls->items[k], k, err) < 0) { berth_sc_profile_free(p); return -1; }
  return 0;
}
