# Drives `berth run -it busybox MODE` on a real pseudo-terminal for
# tty-session.test.ts and prints a JSON report: the terminal settings before,
# during and after, the exit status, and what was printed after the last step.
# The test double (in the vitest process) prints READY once the first resize
# arrived, RESIZED after the 40x100 one, and GOT:<bytes> for each stdin upload.
import fcntl, json, os, pty, select, signal, struct, subprocess, sys, termios, time

node, berth, host, mode = sys.argv[1:5]
master, slave = pty.openpty()

def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))

def stty():
    return subprocess.run(['stty', '-a'], stdin=slave, capture_output=True, text=True).stdout

def make_controlling_terminal():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)

buf = b''
def read_until(token, limit=30):
    # A guard against hanging forever, not a timing assertion.
    global buf
    end = time.time() + limit
    while token not in buf:
        left = end - time.time()
        if left <= 0:
            raise SystemExit(json.dumps({'error': f'no {token!r} on the terminal; got {buf!r}'}))
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            buf += os.read(master, 4096)

def drain():
    global buf
    while select.select([master], [], [], 0.3)[0]:
        try:
            buf += os.read(master, 4096)
        except OSError:
            return

set_size(slave, 24, 80)
before = stty()
child = subprocess.Popen([node, berth, '-H', host, 'run', '-it', 'busybox', mode],
                         stdin=slave, stdout=slave, stderr=slave, preexec_fn=make_controlling_terminal, close_fds=True)
read_until(b'READY')
during = stty()
set_size(master, 40, 100)  # the kernel sends SIGWINCH to the terminal's foreground process group
read_until(b'RESIZED')
os.write(master, b'ab')
read_until(b'GOT:ab')
mark = len(buf)
if mode == 'detach':
    os.write(master, b'\x10\x11')  # ctrl-p ctrl-q
elif mode == 'sigterm':
    child.send_signal(signal.SIGTERM)
elif mode == 'exit':
    os.write(master, b'q')  # the double ends the call with exit code 3
elif mode == 'error':
    os.write(master, b'e')  # the double ends the call with a daemon error
code = child.wait(timeout=30)
drain()
print(json.dumps({'code': code, 'before': before, 'during': during, 'after': stty(),
                  'afterStep': buf[mark:].decode('utf-8', 'replace')}))
