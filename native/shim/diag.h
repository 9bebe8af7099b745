/* The shim's own diagnostics: STATE/shim.log, one timestamped line per event.
 * Before the shim detaches (and if the file cannot be opened) lines are dropped. */
#ifndef SHIM_DIAG_H
#define SHIM_DIAG_H

#include "error.h"

/* Open path for appending; later shim_diag calls write there. */
int shim_diag_open(const char *path, berth_error *err);

void shim_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log an error with its context. */
void shim_diag_error(const char *what, const berth_error *err);

#endif
