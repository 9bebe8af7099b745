// The same Docker-like bundle under berth-runtime, runc and crun: exit codes,
// state JSON, capabilities, mounts, hostname and namespaces must agree. crun
// 1.8 refuses hybrid cgroups, so it runs in a mount namespace without the
// cgroup2 tree.
import { spawn, spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, RUNTIME } from './bundle.js';

type Rt = 'berth' | 'runc' | 'crun';
const RUNTIMES: Rt[] = ['berth', 'runc', 'crun'];
let sb: Sandbox;
beforeAll(() => { sb = new Sandbox(); });
afterAll(() => {
  for (const rt of RUNTIMES) for (const id of created) cli(rt, ['delete', '--force', `${id}-${rt}`]);
  sb.destroy();
});
const created = new Set<string>();

/** Runs one runtime command; output goes through a file (a created init keeps the runtime's stdio). */
function cli(rt: Rt, args: string[]): { code: number; out: string } {
  const bin = rt === 'berth' ? RUNTIME : rt;
  const out = join(sb.dir, `cli-${rt}.out`);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  let cmd = [bin, '--root', join(sb.dir, `root-${rt}`), ...args].map(q).join(' ');
  if (rt === 'crun') cmd = `unshare -m sh -c ${q(`umount /sys/fs/cgroup/unified && exec ${cmd}`)}`;
  const r = spawnSync('sh', ['-c', `${cmd} </dev/null >${out} 2>&1; code=$?; cat ${out}; exit $code`], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout };
}

function runAll(name: string, args: string[]): Record<Rt, { code: number; out: string }> {
  created.add(name);
  const res = {} as Record<Rt, { code: number; out: string }>;
  for (const rt of RUNTIMES) {
    const id = `${name}-${rt}`;
    res[rt] = cli(rt, ['run', '--bundle', sb.bundle(id, args, (c) => { c.hostname = name; }), id]);
  }
  return res;
}

const PROBE = 'hostname; grep -E "^(Cap|NoNewPrivs)" /proc/self/status; ' +
  'for n in ipc mnt net pid uts cgroup user; do echo "ns $n $(readlink /proc/self/ns/$n)"; done; ' +
  'awk \'{ for (i = 7; $i != "-"; i++); print "mount", $5, $(i+1) }\' /proc/self/mountinfo; exit 3';

describe('berth-runtime matches runc and crun', () => {
  it('exit code, hostname, capabilities, namespaces and mounts', () => {
    const r = runAll('cmp', ['sh', '-c', PROBE]);
    const lines = (rt: Rt) => r[rt].out.trim().split('\n');
    const host = (n: string) => readlinkSync(`/proc/self/ns/${n}`);
    const view = (rt: Rt) => {
      const l = lines(rt);
      return {
        code: r[rt].code,
        hostname: l[0],
        caps: l.filter((x) => /^(Cap|NoNewPrivs)/.test(x)),
        newNamespaces: l.filter((x) => x.startsWith('ns ')).map((x) => x.split(' ')).filter(([, n, v]) => v !== host(n)).map(([, n]) => n),
        mountPoints: l.filter((x) => x.startsWith('mount ')).map((x) => x.split(' ')[1]).sort(),
        mounts: l.filter((x) => x.startsWith('mount ')).sort(),
      };
    };
    const berth = view('berth'), runc = view('runc'), crun = view('crun');
    expect(berth.code, r.berth.out).toBe(3);
    expect(berth.hostname).toBe('cmp');
    expect(berth.newNamespaces).toEqual(['ipc', 'mnt', 'net', 'pid', 'uts', 'cgroup']);
    expect(berth.mounts.length).toBeGreaterThan(10);
    expect(berth).toEqual(runc); // same mount points with the same filesystem types
    const { mounts: _crunMounts, ...crunRest } = crun; // crun masks with devtmpfs nodes: compare points only
    const { mounts: _berthMounts, ...berthRest } = berth;
    expect(berthRest).toEqual(crunRest);
  });

  it('create, state, start, kill, delete: same statuses, fields and exit codes', async () => {
    created.add('life');
    const seen: Record<string, unknown[]> = {};
    for (const rt of RUNTIMES) {
      const id = `life-${rt}`;
      const bundle = sb.bundle(id, ['sleep', '1000']);
      const steps: unknown[] = [];
      const state = () => {
        const s = cli(rt, ['state', id]);
        if (s.code !== 0) return { code: s.code };
        const j = JSON.parse(s.out);
        return { code: 0, id: j.id, status: j.status, pid: j.pid > 0, bundle: j.bundle === bundle, rootfs: j.rootfs === sb.rootfs,
          created: typeof j.created === 'string', ociVersion: /^1\./.test(j.ociVersion) };
      };
      steps.push(cli(rt, ['create', '--bundle', bundle, id]).code, state());
      steps.push(cli(rt, ['start', id]).code, state());
      steps.push(cli(rt, ['kill', id, 'KILL']).code);
      for (let k = 0; k < 200 && (state() as any).status !== 'stopped'; k++) await new Promise((res) => setTimeout(res, 10));
      steps.push(state(), cli(rt, ['delete', id]).code, state().code);
      seen[rt] = steps.map((s) => (typeof s === 'object' && s && 'id' in s ? { ...s, id: (s as any).id.replace(rt, 'RT') } : s));
    }
    expect(seen.berth[1]).toMatchObject({ status: 'created', pid: true, bundle: true, rootfs: true });
    expect(seen.berth[5]).toMatchObject({ status: 'stopped', pid: false });
    expect(seen.berth).toEqual(seen.runc);
    expect(seen.berth).toEqual(seen.crun);
  });

  it('a missing command fails run with status 1 and names it', () => {
    const missing = runAll('nocmd', ['no-such-command']);
    for (const rt of RUNTIMES) {
      expect(missing[rt].code, `${rt}: ${missing[rt].out}`).toBe(1);
      expect(missing[rt].out).toMatch(/no-such-command.*not found in \$PATH/);
    }
  });

  it('run in the foreground exits with 128+signal when the container is killed', async () => {
    created.add('sig');
    const codes: Record<string, number | null> = {};
    for (const rt of RUNTIMES) {
      const id = `sig-${rt}`;
      const bin = rt === 'berth' ? RUNTIME : rt;
      const args = [bin, '--root', join(sb.dir, `root-${rt}`), 'run', '--bundle', sb.bundle(id, ['sleep', '1000']), id];
      const child = rt === 'crun'
        ? spawn('unshare', ['-m', 'sh', '-c', 'umount /sys/fs/cgroup/unified && exec "$0" "$@"', ...args], { stdio: 'ignore' })
        : spawn(args[0], args.slice(1), { stdio: 'ignore' });
      const exited = new Promise<number | null>((res) => child.on('exit', res));
      for (let k = 0; k < 500 && !cli(rt, ['state', id]).out.includes('"running"'); k++) await new Promise((res) => setTimeout(res, 10));
      expect(cli(rt, ['kill', id, 'KILL']).code).toBe(0);
      codes[rt] = await exited;
    }
    expect(codes).toEqual({ berth: 137, runc: 137, crun: 137 });
  });
});
