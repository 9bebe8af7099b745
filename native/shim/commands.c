/* What attach clients ask of the shim: START, KILL, STDIN, STDIN_CLOSE,
 * RESIZE; and the output kept for an exec's first client. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "diag.h"
#include "loop.h"
#include "runtime.h"

static void reply(shim_attach *a, int slot, uint8_t type, const char *text) {
  shim_attach_send(a, slot, type, text, strlen(text));
}

/* A decimal in [min, max] spanning s[0..len), or -1. */
static long parse_num(const char *s, size_t len, long min, long max) {
  if (len == 0 || len > 9) return -1;
  long v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v >= min && v <= max ? v : -1;
}

static void cmd_start(shim_loop *l, int slot) {
  berth_error err;
  if (l->cfg->mode == SHIM_MODE_EXEC) { /* running since the shim started */
    reply(&l->attach, slot, SHIM_FRAME_OK, "{\"started\":true}");
    return;
  }
  const char *args[] = {"start", l->cfg->id, NULL};
  shim_diag("start requested");
  if (shim_runtime_run(l->cfg, args, &err) < 0) {
    shim_diag_error("start", &err);
    reply(&l->attach, slot, SHIM_FRAME_ERROR, err.msg);
  } else {
    reply(&l->attach, slot, SHIM_FRAME_OK, "{\"started\":true}");
  }
}

static void cmd_kill(shim_loop *l, int slot, const char *payload, size_t len) {
  berth_error err;
  char msg[64];
  int sig = (int)parse_num(payload, len, 1, SIGRTMAX);
  if (sig < 0) {
    reply(&l->attach, slot, SHIM_FRAME_ERROR, "KILL needs a signal number between 1 and SIGRTMAX");
    return;
  }
  shim_diag("kill %d requested", sig);
  if (l->cfg->mode == SHIM_MODE_EXEC) {
    /* Our child (we are its subreaper) and not yet reaped: the pid is still its own. */
    if (kill(l->init_pid, sig) < 0) berth_fail(&err, errno, "kill %d", (int)l->init_pid);
    else err.msg[0] = '\0';
  } else {
    char sigstr[12];
    snprintf(sigstr, sizeof sigstr, "%d", sig);
    const char *args[] = {"kill", l->cfg->id, sigstr, NULL};
    if (shim_runtime_run(l->cfg, args, &err) == 0) err.msg[0] = '\0';
  }
  if (err.msg[0]) {
    shim_diag_error("kill", &err);
    reply(&l->attach, slot, SHIM_FRAME_ERROR, err.msg);
    return;
  }
  snprintf(msg, sizeof msg, "{\"killed\":true,\"signal\":%d}", sig);
  reply(&l->attach, slot, SHIM_FRAME_OK, msg);
}

static void cmd_resize(shim_loop *l, int slot, const char *payload, size_t len) {
  const char *sp = memchr(payload, ' ', len);
  long rows = sp ? parse_num(payload, (size_t)(sp - payload), 0, 65535) : -1;
  long cols = sp ? parse_num(sp + 1, len - (size_t)(sp + 1 - payload), 0, 65535) : -1;
  if (rows < 0 || cols < 0) {
    reply(&l->attach, slot, SHIM_FRAME_ERROR, "RESIZE needs \"ROWS COLS\" (decimal, at most 65535)");
    return;
  }
  if (l->io.master < 0) {
    reply(&l->attach, slot, SHIM_FRAME_ERROR, l->cfg->terminal ? "terminal is closed" : "no terminal");
    return;
  }
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (ioctl(l->io.master, TIOCSWINSZ, &ws) < 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "resize terminal: %s", strerror(errno));
    reply(&l->attach, slot, SHIM_FRAME_ERROR, msg);
    return;
  }
  char msg[64];
  snprintf(msg, sizeof msg, "{\"rows\":%ld,\"cols\":%ld}", rows, cols);
  reply(&l->attach, slot, SHIM_FRAME_OK, msg);
}

void shim_loop_command(shim_attach *a, int slot, uint8_t type, const char *payload, size_t len, void *ctx) {
  shim_loop *l = ctx;
  const char *why;
  switch (type) {
    case SHIM_FRAME_START:
    case SHIM_FRAME_KILL:
      if (l->exited) {
        reply(a, slot, SHIM_FRAME_ERROR, l->cfg->mode == SHIM_MODE_EXEC ? "process has exited" : "container has exited");
        return;
      }
      if (type == SHIM_FRAME_START) cmd_start(l, slot);
      else cmd_kill(l, slot, payload, len);
      return;
    case SHIM_FRAME_STDIN_CLOSE:
      if (shim_stdin_close(&l->in, &why) < 0) reply(a, slot, SHIM_FRAME_ERROR, why);
      else reply(a, slot, SHIM_FRAME_OK, "{\"stdinClosed\":true}");
      return;
    case SHIM_FRAME_RESIZE:
      cmd_resize(l, slot, payload, len);
      return;
    default: {
      char msg[64];
      snprintf(msg, sizeof msg, "unknown frame type 0x%02x", type);
      reply(a, slot, SHIM_FRAME_ERROR, msg);
    }
  }
}

ssize_t shim_loop_stdin(void *ctx, const void *data, size_t len, const char **why) {
  shim_loop *l = ctx;
  return shim_stdin_write(&l->in, data, len, why);
}

void shim_loop_accept(shim_attach *a, int slot, void *ctx) {
  shim_loop *l = ctx;
  if (l->ever_connected) return;
  l->ever_connected = 1;
  if (!l->replay) return;
  shim_attach_send_raw(a, slot, l->replay, l->replay_len);
  free(l->replay);
  l->replay = NULL;
  l->replay_len = 0;
}
