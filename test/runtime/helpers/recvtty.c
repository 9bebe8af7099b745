/* Test helper: a --console-socket server. Listens on argv[1], accepts one
 * connection, receives the pty master (SCM_RIGHTS), prints "name=<payload>"
 * and "size=<rows>x<cols>", writes argv[2] (if any) to the terminal, then
 * copies the terminal's output to stdout until it closes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n"); return 2; }
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 1) < 0) { perror("listen"); return 1; }
  printf("listening\n");
  fflush(stdout);
  int c = accept(l, NULL, NULL);
  if (c < 0) { perror("accept"); return 1; }
  char name[256] = "", cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name - 1 };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  ssize_t n = recvmsg(c, &m, 0);
  struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
  if (n < 0 || !cm || cm->cmsg_type != SCM_RIGHTS) { fprintf(stderr, "no fd received\n"); return 1; }
  int master;
  memcpy(&master, CMSG_DATA(cm), sizeof master);
  name[n] = '\0';
  struct winsize ws = { 0 };
  ioctl(master, TIOCGWINSZ, &ws);
  printf("name=%s\nsize=%ux%u\n", name, ws.ws_row, ws.ws_col);
  fflush(stdout);
  if (argc > 2 && write(master, argv[2], strlen(argv[2])) < 0) perror("write");
  char buf[4096];
  for (;;) {
    ssize_t r = read(master, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    fwrite(buf, 1, (size_t)r, stdout);
    fflush(stdout);
  }
  return 0;
}
