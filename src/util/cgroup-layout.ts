// Which cgroup layout the host uses: pure v1, pure v2 (unified), or hybrid
// (v1 controllers with a cgroup2 mount beside them).
import { readFileSync } from 'node:fs';

export function detectCgroupLayout(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): 'v1' | 'v2' | 'hybrid' {
  let v1 = false;
  let v2 = false;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fstype = line.slice(sep + 3).split(' ')[0];
    if (fstype === 'cgroup') v1 = true;
    if (fstype === 'cgroup2') v2 = true;
  }
  if (v2 && !v1) return 'v2';
  return v2 ? 'hybrid' : 'v1';
}
