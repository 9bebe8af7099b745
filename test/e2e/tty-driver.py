# Drives `berth run -it --name NAME busybox sh` on a real pseudo-terminal
# against a real daemon: reads the prompt, checks tty and size, resizes, then
# detaches with ctrl-p ctrl-q. Prints a JSON report.
import fcntl, json, os, pty, select, struct, subprocess, sys, termios, time

node, berth, host, name = sys.argv[1:5]
master, slave = pty.openpty()

def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))

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
            print(json.dumps({'error': f'no {token!r} on the terminal', 'screen': buf.decode(errors='replace')}))
            sys.exit(0)
        if select.select([master], [], [], left)[0]:
            chunk = os.read(master, 4096)
            buf += chunk
            if b'\x1b[6n' in chunk and token != b'# ':
                os.write(master, b'\x1b[1;5R')

set_size(slave, 24, 80)
before = subprocess.run(['stty', '-g'], stdin=slave, capture_output=True, text=True).stdout
p = subprocess.Popen([node, berth, '-H', host, 'run', '-it', '--name', name, 'busybox', 'sh'],
                     stdin=slave, stdout=slave, stderr=slave, preexec_fn=make_controlling_terminal)
read_until(b'# ')
if b'\x1b[6n' in buf:
    # busybox's line editor asks where the cursor is, as a terminal would answer
    os.write(master, b'\x1b[1;5R')
time.sleep(0.2)
os.write(master, b'tty; stty size\r')
read_until(b'24 80')
set_size(master, 40, 100)
time.sleep(0.5)
os.write(master, b'stty size\r')
read_until(b'40 100')
os.write(master, b'\x10\x11')
code = p.wait(timeout=30)
after = subprocess.run(['stty', '-g'], stdin=slave, capture_output=True, text=True).stdout
print(json.dumps({'code': code, 'screen': buf.decode(errors='replace'), 'restored': before == after}))
