/* linux.resources.hugepageLimits: parsing, checking each page size against
 * the kernel's, writing the limits to whichever hierarchy owns hugetlb (v1
 * hugetlb.<size>.limit_in_bytes, or v2 hugetlb.<size>.max after enabling the
 * controller: on a hybrid host hugetlb often is not bound to v1), and the
 * hugetlb part of `events --stats`. */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#define HUGEPAGES_DIR "/sys/kernel/mm/hugepages"

int cgroup_parse_hugepages(resources_spec *rs, const json_value *arr, berth_error *err) {
  if (!arr || arr->type == JSON_NULL) return 0;
  if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "linux.resources.hugepageLimits must be an array of {pageSize, limit}");
  if (arr->len == 0) return 0;
  if (!(rs->hugepages = calloc(arr->len, sizeof *rs->hugepages))) return berth_fail(err, ENOMEM, "hugepageLimits");
  for (size_t k = 0; k < arr->len; k++) {
    const char *size = json_get_string(arr->items[k], "pageSize");
    json_value *limit = json_get(arr->items[k], "limit");
    if (!size || !*size || strlen(size) >= sizeof rs->hugepages[k].page_size || strpbrk(size, "/. "))
      return berth_fail(err, 0, "linux.resources.hugepageLimits[%zu].pageSize must be a huge page size like \"2MB\" or \"1GB\"", k);
    if (!limit || limit->type != JSON_NUMBER || !limit->is_uint)
      return berth_fail(err, 0, "linux.resources.hugepageLimits[%zu].limit must be a number of bytes", k);
    snprintf(rs->hugepages[k].page_size, sizeof rs->hugepages[k].page_size, "%s", size);
    rs->hugepages[k].limit = limit->u;
    rs->nhugepages = k + 1;
  }
  return 0;
}

/* The kernel's huge page sizes as hugetlb names them ("2MB", "1GB"),
 * space-separated into out; false when the kernel has none. */
static bool kernel_sizes(char *out, size_t n) {
  DIR *d = opendir(HUGEPAGES_DIR);
  size_t used = 0;
  out[0] = '\0';
  if (!d) return false;
  for (struct dirent *e; (e = readdir(d));) {
    unsigned long kb;
    if (sscanf(e->d_name, "hugepages-%lukB", &kb) != 1) continue;
    char name[32];
    if (kb >= 1024 * 1024) snprintf(name, sizeof name, "%luGB", kb / (1024 * 1024));
    else if (kb >= 1024) snprintf(name, sizeof name, "%luMB", kb / 1024);
    else snprintf(name, sizeof name, "%luKB", kb);
    int w = snprintf(out + used, n - used, "%s%s", used ? " " : "", name);
    if (w < 0 || (size_t)w >= n - used) break;
    used += (size_t)w;
  }
  closedir(d);
  return used > 0;
}

static bool is_kernel_size(const char *size, const char *sizes) {
  size_t n = strlen(size);
  for (const char *p = sizes; *p;) {
    size_t len = strcspn(p, " ");
    if (len == n && strncmp(p, size, n) == 0) return true;
    p += len; p += strspn(p, " ");
  }
  return false;
}

int cgroup_apply_hugetlb(const cgroup_set *cg, const resources_spec *r, berth_error *err) {
  char sizes[256];
  if (r->nhugepages == 0) return 0;
  if (!kernel_sizes(sizes, sizeof sizes))
    return berth_fail(err, 0, "linux.resources.hugepageLimits is set but this kernel has no huge pages (%s is missing or empty)", HUGEPAGES_DIR);
  for (size_t k = 0; k < r->nhugepages; k++) {
    const char *size = r->hugepages[k].page_size;
    if (!is_kernel_size(size, sizes))
      return berth_fail(err, 0, "linux.resources.hugepageLimits[%zu].pageSize \"%s\" is not a huge page size of this kernel (it has: %s)", k, size, sizes);
    char what[64], v1f[96], v2f[96], val[32];
    snprintf(what, sizeof what, "hugepageLimits[%zu] (%s)", k, size);
    snprintf(v1f, sizeof v1f, "hugetlb.%s.limit_in_bytes", size);
    snprintf(v2f, sizeof v2f, "hugetlb.%s.max", size);
    snprintf(val, sizeof val, "%llu", (unsigned long long)r->hugepages[k].limit);
    if (cgroup_set_limit(cg, what, v1f, val, v2f, val, err) < 0) return -1;
    /* the reservation limit too, where the kernel has one (as runc does) */
    snprintf(v1f, sizeof v1f, "hugetlb.%s.rsvd.limit_in_bytes", size);
    snprintf(v2f, sizeof v2f, "hugetlb.%s.rsvd.max", size);
    const char *d = cgroup_dir_with(cg, v2f), *f = v2f;
    if (!d) { d = cgroup_dir_with(cg, v1f); f = v1f; }
    char p[PATH_MAX];
    if (d && snprintf(p, sizeof p, "%s/%s", d, f) < (int)sizeof p && write_file(p, val, err) < 0)
      return berth_error_wrap(err, "applying linux.resources.%s", what);
  }
  return 0;
}

/* A number from dir/file, or from its "key value" line when key is set. */
static unsigned long long read_num(const char *dir, const char *file, const char *key) {
  char p[PATH_MAX];
  berth_error ignored;
  snprintf(p, sizeof p, "%s/%s", dir, file);
  _cleanup_free_ char *txt = read_file_str(p, &ignored);
  if (!txt) return 0;
  if (!key) return strtoull(txt, NULL, 10);
  size_t kl = strlen(key);
  for (char *l = txt; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
    if (strncmp(l, key, kl) == 0 && l[kl] == ' ') return strtoull(l + kl + 1, NULL, 10);
  return 0;
}

void cgroup_hugetlb_stats(json_writer *w, const cgroup_set *cg) {
  char sizes[256], file[96];
  if (!kernel_sizes(sizes, sizeof sizes)) return;
  bool open = false;
  for (char *size = strtok(sizes, " "); size; size = strtok(NULL, " ")) {
    snprintf(file, sizeof file, "hugetlb.%s.usage_in_bytes", size);
    const char *v1 = cgroup_dir_with(cg, file), *v2 = NULL;
    if (!v1) { snprintf(file, sizeof file, "hugetlb.%s.current", size); v2 = cgroup_dir_with(cg, file); }
    if (!v1 && !v2) continue;
    if (!open) { jw_key(w, "hugetlb"); jw_begin_object(w); open = true; }
    unsigned long long usage = read_num(v1 ? v1 : v2, file, NULL), max = 0, failcnt;
    if (v1) {
      snprintf(file, sizeof file, "hugetlb.%s.max_usage_in_bytes", size);
      max = read_num(v1, file, NULL);
      snprintf(file, sizeof file, "hugetlb.%s.failcnt", size);
      failcnt = read_num(v1, file, NULL);
    } else {
      snprintf(file, sizeof file, "hugetlb.%s.events", size);
      failcnt = read_num(v2, file, "max");
    }
    jw_key(w, size); jw_begin_object(w);
    jw_key(w, "usage"); jw_uint(w, usage);
    jw_key(w, "max"); jw_uint(w, max);
    jw_key(w, "failcnt"); jw_uint(w, failcnt);
    jw_end_object(w);
  }
  if (open) jw_end_object(w);
}
