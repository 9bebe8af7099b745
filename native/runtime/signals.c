/* Signal names and numbers as `kill` accepts them: KILL, SIGKILL, 9. */
#include "runtime.h"

#include <signal.h>
#include <string.h>
#include <strings.h>

static const struct { const char *n; int s; } sigs[] = {
  { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL }, { "TRAP", SIGTRAP },
  { "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
  { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
  { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
  { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
  { "POLL", SIGPOLL }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

int parse_signal(const char *s, berth_error *err) {
  char *end;
  long n = strtol(s, &end, 10);
  if (*s && !*end) {
    if (n <= 0 || n > SIGRTMAX) return berth_fail(err, 0, "invalid signal number %s (1..%d)", s, SIGRTMAX);
    return (int)n;
  }
  const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
  for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
    if (strcasecmp(name, sigs[k].n) == 0) return sigs[k].s;
  if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
    int base = strncasecmp(name, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
    long off = name[5] ? strtol(name + 5, &end, 10) : 0;
    if (!*end || !name[5]) {
      int sig = base + (int)off;
      if (sig >= SIGRTMIN && sig <= SIGRTMAX) return sig;
    }
  }
  return berth_fail(err, 0, "unknown signal \"%s\" (use a name like TERM or SIGKILL, or a number)", s);
}
