#include "invoker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonlite.h"
#include "util.h"

int shim_report_ready(int fd, pid_t init_pid, berth_error *err) {
  char msg[64];
  int n = snprintf(msg, sizeof msg, "R%d %d", (int)init_pid, (int)getpid());
  return shim_write_all(fd, msg, (size_t)n, err);
}

int shim_report_error(int fd, const char *message, berth_error *err) {
  char msg[BERTH_ERROR_MSG_MAX + 1];
  int n = snprintf(msg, sizeof msg, "E%s", message);
  if (n >= (int)sizeof msg) n = (int)sizeof msg - 1;
  return shim_write_all(fd, msg, (size_t)n, err);
}

static void print_line(const char *line) {
  berth_error err;
  if (shim_write_all(STDOUT_FILENO, line, strlen(line), &err) < 0) _exit(3);
}

void shim_print_error(const char *message) {
  char escaped[BERTH_ERROR_MSG_MAX * 6 + 1];
  shim_json_escape(message, strlen(message), escaped, sizeof escaped);
  char line[sizeof escaped + 32];
  snprintf(line, sizeof line, "{\"ok\":false,\"error\":\"%s\"}\n", escaped);
  print_line(line);
}

int shim_invoker_finish(int fd, pid_t child) {
  char msg[BERTH_ERROR_MSG_MAX + 2];
  size_t len = 0;
  while (len < sizeof msg - 1) {
    ssize_t n = read(fd, msg + len, sizeof msg - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
  }
  msg[len] = '\0';
  close(fd);
  if (len > 0 && msg[0] == 'R') {
    long init_pid = 0, shim_pid = 0;
    if (sscanf(msg + 1, "%ld %ld", &init_pid, &shim_pid) == 2 && init_pid > 0) {
      char line[96];
      snprintf(line, sizeof line, "{\"ok\":true,\"pid\":%ld,\"shimPid\":%ld}\n", init_pid, shim_pid);
      print_line(line);
      return 0; /* the shim lives on, in its own session */
    }
  }
  /* The shim failed and exits (or already has): collect it. */
  int status = 0;
  pid_t r;
  do r = waitpid(child, &status, 0); while (r < 0 && errno == EINTR);
  if (len > 1 && msg[0] == 'E') {
    shim_print_error(msg + 1);
  } else {
    char text[128];
    if (r == child && WIFSIGNALED(status))
      snprintf(text, sizeof text, "shim exited before it was ready: killed by signal %d", WTERMSIG(status));
    else
      snprintf(text, sizeof text, "shim exited before it was ready: status %d", WEXITSTATUS(status));
    shim_print_error(text);
  }
  return 1;
}
