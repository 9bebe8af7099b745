/* One count of bytes held in memory for the whole process, shared by every thread that loads
 * the addon (the daemon's actor hosts each run on a thread of their own): memBudgetTake(n, limit)
 * adds n when the total stays within limit and says whether it did; memBudgetGive(n) gives back. */
#include "mem_budget.h"

#include <stdatomic.h>
#include <stdint.h>

static _Atomic int64_t held;

static int read_sizes(napi_env env, napi_callback_info info, size_t argc, int64_t *out) {
  napi_value argv[2];
  if (addon_args(env, info, argv, argc) < 0) return -1;
  for (size_t i = 0; i < argc; i++) {
    if (addon_int64(env, argv[i], i == 0 ? "bytes" : "limit", &out[i]) < 0) return -1;
    if (out[i] < 0) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "bytes and limit must not be negative");
      return -1;
    }
  }
  return 0;
}

napi_value addon_mem_budget_take(napi_env env, napi_callback_info info) {
  int64_t v[2];
  if (read_sizes(env, info, 2, v) < 0) return NULL;
  int64_t now = atomic_load(&held);
  int ok = 0;
  while (now + v[0] <= v[1]) {
    if (atomic_compare_exchange_weak(&held, &now, now + v[0])) {
      ok = 1;
      break;
    }
  }
  napi_value out;
  napi_get_boolean(env, ok, &out);
  return out;
}

napi_value addon_mem_budget_give(napi_env env, napi_callback_info info) {
  int64_t v[1];
  if (read_sizes(env, info, 1, v) < 0) return NULL;
  int64_t now = atomic_load(&held);
  while (!atomic_compare_exchange_weak(&held, &now, now - v[0] < 0 ? 0 : now - v[0])) {
  }
  napi_value out;
  napi_create_int64(env, now - v[0] < 0 ? 0 : now - v[0], &out);
  return out;
}
