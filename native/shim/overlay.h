/* The optional overlay root filesystem at BUNDLE/rootfs. */
#ifndef SHIM_OVERLAY_H
#define SHIM_OVERLAY_H

#include <stddef.h>

#include "error.h"

/* Mount overlay with data `options` ("lowerdir=...,upperdir=...,workdir=...")
 * on BUNDLE/rootfs, creating the directory if needed. The mount point is
 * written to target (size bytes). */
int shim_overlay_mount(const char *bundle, const char *options, char *target, size_t size, berth_error *err);

/* Unmount it; falls back to a lazy unmount if it is busy. */
int shim_overlay_umount(const char *target, berth_error *err);

#endif
