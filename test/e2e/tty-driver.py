# Drives `berth run -it --name NAME busybox sh` (or, with the mode `exec`,
# `berth exec -it NAME sh`) on a real pseudo-terminal against a real daemon:
# reads the prompt, checks tty and size, resizes, then detaches with ctrl-p
# ctrl-q (run) or exits the shell (exec). Prints a JSON report.
# busybox's line editor asks the terminal where the cursor is (ESC [ 6 n)
# after a prompt and swallows what is typed before the answer: the driver
# answers every query as a terminal would, and types only once it has.
import fcntl, json, os, pty, select, struct, subprocess, sys, termios, time

node, berth, host, name = sys.argv[1:5]
mode = sys.argv[5] if len(sys.argv) > 5 else 'run'
command = ['exec', '-it', name, 'sh'] if mode == 'exec' else ['run', '-it', '--name', name, 'busybox', 'sh']
master, slave = pty.openpty()
QUERY = b'\x1b[6n'

def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))

def make_controlling_terminal():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)

buf = b''
answered = 0

def fail(message):
    print(json.dumps({'error': message, 'screen': buf.decode(errors='replace')}))
    sys.exit(0)

def pump(wait):
    """Reads what the terminal shows for up to `wait` seconds; answers cursor queries. False when nothing came."""
    global buf, answered
    if not select.select([master], [], [], wait)[0]:
        return False
    buf += os.read(master, 4096)
    while buf.count(QUERY) > answered:
        os.write(master, b'\x1b[1;5R')
        answered += 1
    return True

def read_until(token, start=0, limit=30):
    # A guard against hanging forever, not a timing assertion.
    end = time.time() + limit
    while token not in buf[start:]:
        left = end - time.time()
        if left <= 0:
            fail(f'no {token!r} on the terminal')
        pump(left)
    return buf.index(token, start) + len(token)

def settle():
    """Waits until the terminal has been quiet for a moment (a prompt and its query drawn and answered)."""
    while pump(0.3):
        pass

set_size(slave, 24, 80)
before = subprocess.run(['stty', '-g'], stdin=slave, capture_output=True, text=True).stdout
p = subprocess.Popen([node, berth, '-H', host, *command],
                     stdin=slave, stdout=slave, stderr=slave, preexec_fn=make_controlling_terminal)
at = read_until(b'# ')
settle()
os.write(master, b'tty; stty size\r')
at = read_until(b'24 80', at)
set_size(master, 40, 100)
time.sleep(0.5)
os.write(master, b'stty size\r')
at = read_until(b'40 100', at)
read_until(b'# ', at)
settle()
os.write(master, b'exit\r' if mode == 'exec' else b'\x10\x11')
try:
    code = p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    settle()
    fail('berth did not end after ' + ('exit' if mode == 'exec' else 'ctrl-p ctrl-q'))
after = subprocess.run(['stty', '-g'], stdin=slave, capture_output=True, text=True).stdout
print(json.dumps({'code': code, 'screen': buf.decode(errors='replace'), 'restored': before == after}))
