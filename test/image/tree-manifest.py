# Prints a JSON description of a directory tree for comparisons in tests:
# path -> type, mode, uid, gid, size (files), link target (symlinks),
# rdev (devices) and every extended attribute (names and hex values).
# Never follows symlinks. Used because Node has no listxattr.
import json, os, stat, sys

root = sys.argv[1]
out = {}
for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
    for name in dirnames + filenames:
        p = os.path.join(dirpath, name)
        st = os.lstat(p)
        rel = os.path.relpath(p, root)
        kind = ('dir' if stat.S_ISDIR(st.st_mode) else 'file' if stat.S_ISREG(st.st_mode)
                else 'symlink' if stat.S_ISLNK(st.st_mode) else 'char' if stat.S_ISCHR(st.st_mode)
                else 'block' if stat.S_ISBLK(st.st_mode) else 'fifo' if stat.S_ISFIFO(st.st_mode) else 'other')
        e = {'type': kind, 'mode': oct(stat.S_IMODE(st.st_mode)), 'uid': st.st_uid, 'gid': st.st_gid}
        if kind == 'file':
            e['size'] = st.st_size
        if kind == 'symlink':
            e['link'] = os.readlink(p)
        if kind in ('char', 'block'):
            e['rdev'] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
        try:
            names = sorted(os.listxattr(p, follow_symlinks=False))
        except OSError:
            names = []
        if names:
            e['xattrs'] = {n: os.getxattr(p, n, follow_symlinks=False).hex() for n in names}
        out[rel] = e
json.dump(out, sys.stdout, sort_keys=True)
