/* runtime-spec linux.seccomp: compile to classic BPF and install.
 *
 * berth_seccomp_compile() validates and compiles the object (no syscalls, so it
 * is safe to call at create time before forking). berth_seccomp_install()
 * compiles and then loads the program into the calling thread with
 * seccomp(SECCOMP_SET_MODE_FILTER), passing the flags listed in the object's
 * "flags" (SECCOMP_FILTER_FLAG_TSYNC / _LOG / _SPEC_ALLOW). The caller has
 * already set no_new_privs or still holds CAP_SYS_ADMIN. A NULL or JSON null
 * object is "no seccomp": compile returns an empty program, install does
 * nothing. */
#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H

#include <stddef.h>
#include <linux/filter.h>

#include "json.h"
#include "error.h"

int berth_seccomp_install(const json_value *linux_seccomp, berth_error *err);

/* On success *out is malloc'd (NULL when *out_len == 0); free() it. */
int berth_seccomp_compile(const json_value *linux_seccomp, struct sock_filter **out,
                          size_t *out_len, berth_error *err);

#endif
