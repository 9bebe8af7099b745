/* berth-init: the container's pid 1 for `run --init` (mounted at
 * /sbin/docker-init). Runs its arguments as a child, forwards the signals it
 * receives to that child, reaps every zombie re-parented to it, and exits
 * with the child's status (128+N when the child dies of signal N). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

/* Reaps everything that has exited; returns the child's exit status once it is among them, else -1. */
static int reap(pid_t child) {
  int status, result = -1;
  pid_t p;
  while ((p = waitpid(-1, &status, WNOHANG)) > 0)
    if (p == child) result = exit_status(status);
  return result;
}

int main(int argc, char **argv) {
  int first = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1; /* docker-init takes `-- PROGRAM ...` */
  if (argc <= first) {
    fprintf(stderr, "berth-init: usage: berth-init [--] PROGRAM [ARGS...]\n");
    return 1;
  }
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t child = fork();
  if (child < 0) {
    fprintf(stderr, "berth-init: fork: %s\n", strerror(errno));
    return 1;
  }
  if (child == 0) {
    /* Own process group, so a terminal's signals and ours reach the whole job
     * (SIGTTOU is still blocked here, so taking the terminal cannot stop us). */
    setpgid(0, 0);
    if (isatty(STDIN_FILENO)) tcsetpgrp(STDIN_FILENO, getpid());
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(argv[first], argv + first);
    int e = errno;
    fprintf(stderr, "berth-init: exec %s: %s\n", argv[first], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  }
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig == SIGCHLD) {
      int code = reap(child);
      if (code >= 0) return code;
      continue;
    }
    /* Stop signals from a terminal would only stop init: pass them on instead. */
    if (kill(child, sig) < 0 && errno == ESRCH) {
      int code = reap(child);
      if (code >= 0) return code;
    }
  }
}
