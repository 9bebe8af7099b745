/* linux.resources.blockIO: the weight (v1 blkio.weight or blkio.bfq.weight;
 * v2 io.bfq.weight, else io.weight on runc's scale), per-device weights and
 * the read/write bytes and I/O per second throttles (v1 blkio.throttle.*,
 * v2 io.max), each written where the blkio/io controller lives. */
#include "runtime.h"

#include <errno.h>
#include <string.h>

enum { BIO_WEIGHT, BIO_RBPS, BIO_WBPS, BIO_RIOPS, BIO_WIOPS };
static const struct { const char *key, *v1file, *v2key; } kinds[] = {
  [BIO_WEIGHT] = { "weightDevice", NULL, NULL },
  [BIO_RBPS] = { "throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps" },
  [BIO_WBPS] = { "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps" },
  [BIO_RIOPS] = { "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops" },
  [BIO_WIOPS] = { "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops" },
};

static int get_uint(const json_value *obj, const char *key, const char *where, uint64_t *out, berth_error *err) {
  json_value *v = json_get(obj, key);
  *out = 0;
  if (!v || v->type == JSON_NULL) return 0;
  if (v->type != JSON_NUMBER || !v->is_uint) return berth_fail(err, 0, "linux.resources.blockIO%s.%s must be a non-negative integer", where, key);
  *out = v->u;
  return 0;
}

static int weight_ok(uint64_t w, const char *where, berth_error *err) {
  if (w != 0 && (w < 10 || w > 1000)) return berth_fail(err, 0, "linux.resources.blockIO%s.weight %llu is out of range: use 10 to 1000", where, (unsigned long long)w);
  return 0;
}

static int parse_device(struct blkio_device *d, const json_value *e, int kind, size_t k, berth_error *err) {
  char where[64];
  snprintf(where, sizeof where, ".%s[%zu]", kinds[kind].key, k);
  json_value *ma = json_get(e, "major"), *mi = json_get(e, "minor");
  if (!ma || !ma->is_int || ma->i < 0 || !mi || !mi->is_int || mi->i < 0)
    return berth_fail(err, 0, "linux.resources.blockIO%s needs the device's major and minor numbers", where);
  uint64_t leaf;
  if (get_uint(e, kind == BIO_WEIGHT ? "weight" : "rate", where, &d->value, err) < 0 || get_uint(e, "leafWeight", where, &leaf, err) < 0) return -1;
  if (leaf) return berth_fail(err, 0, "linux.resources.blockIO%s.leafWeight is not supported (no kernel has leaf weights since cfq went): remove it", where);
  if (kind == BIO_WEIGHT && weight_ok(d->value, where, err) < 0) return -1;
  d->kind = kind; d->index = k; d->major = ma->i; d->minor = mi->i;
  return 0;
}

int cgroup_parse_blkio(resources_spec *rs, const json_value *bio, berth_error *err) {
  if (!bio || bio->type == JSON_NULL) return 0;
  if (bio->type != JSON_OBJECT) return berth_fail(err, 0, "linux.resources.blockIO must be an object");
  uint64_t leaf;
  if (get_uint(bio, "weight", "", &rs->blkio_weight, err) < 0 || weight_ok(rs->blkio_weight, "", err) < 0) return -1;
  if (get_uint(bio, "leafWeight", "", &leaf, err) < 0) return -1;
  if (leaf) return berth_fail(err, 0, "linux.resources.blockIO.leafWeight is not supported (no kernel has leaf weights since cfq went): remove it");
  size_t total = 0;
  for (size_t kind = 0; kind < sizeof kinds / sizeof kinds[0]; kind++) {
    json_value *arr = json_get(bio, kinds[kind].key);
    if (arr && arr->type != JSON_NULL && arr->type != JSON_ARRAY) return berth_fail(err, 0, "linux.resources.blockIO.%s must be an array", kinds[kind].key);
    total += arr && arr->type == JSON_ARRAY ? arr->len : 0;
  }
  if (total == 0) return 0;
  if (!(rs->blkio_devs = calloc(total, sizeof *rs->blkio_devs))) return berth_fail(err, ENOMEM, "blockIO");
  for (size_t kind = 0; kind < sizeof kinds / sizeof kinds[0]; kind++) {
    json_value *arr = json_get(bio, kinds[kind].key);
    for (size_t k = 0; arr && arr->type == JSON_ARRAY && k < arr->len; k++)
      if (parse_device(&rs->blkio_devs[rs->nblkio_devs++], arr->items[k], (int)kind, k, err) < 0) return -1;
  }
  return 0;
}

/* A weight, for the whole cgroup (dev "") or one device ("8:0 "). */
static int apply_weight(const cgroup_set *cg, const char *what, const char *dev, uint64_t w, berth_error *err) {
  char v1[64], v2[64];
  bool per_dev = *dev;
  const char *v1file = cgroup_dir_with(cg, "blkio.weight") ? (per_dev ? "blkio.weight_device" : "blkio.weight")
                                                           : (per_dev ? "blkio.bfq.weight_device" : "blkio.bfq.weight");
  bool bfq2 = cgroup_dir_with(cg, "io.bfq.weight") != NULL;
  snprintf(v1, sizeof v1, "%s%llu", dev, (unsigned long long)w);
  /* io.weight is 1..10000; blkio's 10..1000 maps onto it as runc does */
  snprintf(v2, sizeof v2, "%s%llu", dev, bfq2 ? (unsigned long long)w : 1 + ((unsigned long long)w - 10) * 9999 / 990);
  return cgroup_set_limit(cg, what, v1file, v1, bfq2 ? "io.bfq.weight" : "io.weight", v2, err);
}

int cgroup_apply_blkio(const cgroup_set *cg, const resources_spec *r, berth_error *err) {
  if (r->blkio_weight && apply_weight(cg, "blockIO.weight", "", r->blkio_weight, err) < 0) return -1;
  for (size_t k = 0; k < r->nblkio_devs; k++) {
    const struct blkio_device *d = &r->blkio_devs[k];
    char what[64], dev[48], v1[96], v2[96];
    snprintf(what, sizeof what, "blockIO.%s[%zu]", kinds[d->kind].key, d->index);
    snprintf(dev, sizeof dev, "%lld:%lld ", (long long)d->major, (long long)d->minor);
    if (d->kind == BIO_WEIGHT) {
      if (d->value && apply_weight(cg, what, dev, d->value, err) < 0) return -1;
      continue;
    }
    snprintf(v1, sizeof v1, "%s%llu", dev, (unsigned long long)d->value);
    /* v2: 0 lifts the limit, as it does on v1 */
    if (d->value) snprintf(v2, sizeof v2, "%s%s=%llu", dev, kinds[d->kind].v2key, (unsigned long long)d->value);
    else snprintf(v2, sizeof v2, "%s%s=max", dev, kinds[d->kind].v2key);
    if (cgroup_set_limit(cg, what, kinds[d->kind].v1file, v1, "io.max", v2, err) < 0) return -1;
  }
  return 0;
}
