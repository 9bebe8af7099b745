// run's namespace and kernel-parameter flags end to end: --pid host and
// container:NAME, --ipc host, none, shareable and container:NAME, --uts host, --cgroupns, --shm-size, --sysctl and
// --group-add, their inspect fields, and clear errors for what is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon(); // --bridge none: containers have a network namespace of their own
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

const run = (flags: string[], script: string) => d.berth(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);

describe('namespace flags', () => {
  it('--pid host sees the host\'s processes; --pid container:NAME sees that container\'s', () => {
    expect(ok(run(['--pid', 'host'], 'cat /proc/1/comm'))).toBe(readFileSync('/proc/1/comm', 'utf8'));
    ok(d.berth(['run', '-d', '--name', 'pidowner', 'busybox', 'sleep', '300']));
    const owner = inspectContainer(d, 'pidowner');
    expect(ok(run(['--pid', 'container:pidowner'], 'readlink /proc/1/exe; cat /proc/1/cmdline | tr "\\0" " "'))).toBe('/bin/busybox\nsleep 300 ');
    expect(owner.HostConfig.PidMode).toBe('');
    ok(d.berth(['create', '--name', 'pidjoiner', '--pid', 'container:pidowner', 'busybox', 'true']));
    expect(inspectContainer(d, 'pidjoiner').HostConfig.PidMode).toBe(`container:${owner.Id}`); // the name is resolved at create
    ok(d.berth(['rm', '-f', 'pidowner', 'pidjoiner']));
  });

  it('--ipc host shares the host\'s IPC namespace and /dev/shm; --ipc none has no /dev/shm', () => {
    const pid = Number(ok(d.berth(['run', '-d', '--name', 'ipchost', '--ipc', 'host', 'busybox', 'sleep', '300'])) && inspectContainer(d, 'ipchost').State.Pid);
    expect(readlinkSync(`/proc/${pid}/ns/ipc`)).toBe(readlinkSync('/proc/self/ns/ipc'));
    expect(inspectContainer(d, 'ipchost').HostConfig.IpcMode).toBe('host');
    ok(d.berth(['rm', '-f', 'ipchost']));
    expect(ok(run(['--ipc', 'none'], 'grep -c " /dev/shm " /proc/mounts || true'))).toBe('0\n');
  });

  it('--ipc container:NAME joins a shareable container\'s IPC namespace and /dev/shm, and refuses the others', () => {
    ok(d.berth(['run', '-d', '--name', 'ipcdonor', '--ipc', 'shareable', '--shm-size', '2m', 'busybox', 'sh', '-c', 'echo from-donor > /dev/shm/note; sleep 300']));
    const donor = inspectContainer(d, 'ipcdonor');
    expect(donor.HostConfig.IpcMode).toBe('shareable');
    const shmDir = join(d.execRoot, 'ipc', donor.Id);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${shmDir} `);
    const out = ok(run(['--ipc', 'container:ipcdonor'], 'readlink /proc/self/ns/ipc; until [ -e /dev/shm/note ]; do sleep 0.1; done; cat /dev/shm/note; echo from-joiner > /dev/shm/reply; df -k /dev/shm | tail -1'));
    const [ns, note, df] = out.split('\n');
    expect(ns).toBe(readlinkSync(`/proc/${donor.State.Pid}/ns/ipc`));
    expect(note).toBe('from-donor');
    expect(df.split(/\s+/)[1]).toBe('2048'); // the donor's tmpfs, not a fresh 64m one
    expect(ok(d.berth(['exec', 'ipcdonor', 'cat', '/dev/shm/reply']))).toBe('from-joiner\n');
    // a private container cannot be joined, nor a stopped one, nor one that does not exist
    ok(d.berth(['run', '-d', '--name', 'ipcprivate', 'busybox', 'sleep', '300']));
    const priv = run(['--ipc', 'container:ipcprivate'], 'true');
    expect(priv.code).toBe(125);
    expect(priv.stderr).toContain('its IPC is not shareable (run it with --ipc shareable)');
    ok(d.berth(['stop', '-t', '0', 'ipcdonor']));
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${shmDir} `); // released at exit
    const stopped = run(['--ipc', 'container:ipcdonor'], 'true');
    expect(stopped.code).toBe(125);
    expect(stopped.stderr).toContain('it is not running');
    const missing = run(['--ipc', 'container:nosuch'], 'true');
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain('No such container: nosuch');
    // a restart mounts it again
    ok(d.berth(['start', 'ipcdonor']));
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${shmDir} `);
    ok(d.berth(['rm', '-f', 'ipcdonor', 'ipcprivate']));
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${shmDir} `);
  });

  it('releases a shareable /dev/shm of a container that exited while the daemon was down', async () => {
    ok(d.berth(['run', '-d', '--name', 'ipcgone', '--ipc', 'shareable', 'busybox', 'sleep', '300']));
    const donor = inspectContainer(d, 'ipcgone');
    const shmDir = join(d.execRoot, 'ipc', donor.Id);
    await d.kill('SIGKILL');
    process.kill(donor.State.Pid, 'SIGKILL');
    await d.restart();
    const deadline = Date.now() + 20_000;
    while (inspectContainer(d, 'ipcgone').State.Running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(inspectContainer(d, 'ipcgone').State.ExitCode).toBe(137);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${shmDir} `);
    ok(d.berth(['rm', 'ipcgone']));
  });

  it('--uts host has the host\'s name, and refuses --hostname with it', () => {
    expect(ok(run(['--uts', 'host'], 'hostname'))).toBe(`${hostname()}\n`);
    const both = run(['--uts', 'host', '--hostname', 'x'], 'true');
    expect(both.code).toBe(125);
    expect(both.stderr).toContain('Conflicting options: --hostname and --uts host');
  });

  it('--cgroupns host shares the host\'s cgroup namespace (private by default), shown by inspect; other modes are refused', () => {
    const hostNs = readlinkSync('/proc/self/ns/cgroup');
    expect(ok(run(['--cgroupns', 'host'], 'readlink /proc/self/ns/cgroup'))).toBe(`${hostNs}\n`);
    expect(ok(run(['--cgroupns', 'host'], 'cat /proc/self/cgroup'))).toContain('berth'); // the host's view: the container's cgroup path
    expect(ok(run([], 'readlink /proc/self/ns/cgroup'))).not.toBe(`${hostNs}\n`);
    expect(ok(run(['--cgroupns', 'private'], 'cat /proc/self/cgroup'))).not.toContain('berth'); // its own cgroup is its root
    ok(d.berth(['create', '--name', 'cgnshost', '--cgroupns', 'host', 'busybox', 'true']));
    ok(d.berth(['create', '--name', 'cgnsdefault', 'busybox', 'true']));
    expect(inspectContainer(d, 'cgnshost').HostConfig.CgroupnsMode).toBe('host');
    expect(inspectContainer(d, 'cgnsdefault').HostConfig.CgroupnsMode).toBe('private');
    ok(d.berth(['rm', 'cgnshost', 'cgnsdefault']));
    const bad = run(['--cgroupns', 'shared'], 'true');
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('invalid --cgroupns "shared": use private or host');
  });

  it('--shm-size sizes /dev/shm (64m by default)', () => {
    expect(ok(run(['--shm-size', '1m'], 'df -k /dev/shm | tail -1')).split(/\s+/)[1]).toBe('1024');
    expect(ok(run([], 'df -k /dev/shm | tail -1')).split(/\s+/)[1]).toBe('65536');
    const bad = run(['--shm-size', 'lots'], 'true');
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('invalid argument "lots" for "--shm-size" flag');
  });

  it('--sysctl sets namespaced kernel parameters and refuses the host\'s', () => {
    expect(ok(run(['--sysctl', 'kernel.shmmax=123456', '--sysctl', 'net.ipv4.ip_unprivileged_port_start=0'], 'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_unprivileged_port_start'))).toBe('123456\n0\n');
    expect(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')).not.toBe('0\n');
    for (const [flags, text] of [
      [['--sysctl', 'kernel.hostname=x'], 'sysctl "kernel.hostname" is not allowed'],
      [['--sysctl', 'net.ipv4.ip_forward=1', '--network', 'host'], 'not allowed with --network host'],
      [['--sysctl', 'kernel.shmmax=1', '--ipc', 'host'], 'not allowed with --ipc host'],
      [['--sysctl', 'kernel.shmmax=1', '--ipc', 'container:x'], 'not allowed with --ipc container:x: set it on that container'],
      [['--ipc', 'container:'], 'invalid --ipc "container:": name the container'],
      [['--sysctl', 'novalue'], 'invalid argument "novalue" for "--sysctl" flag'],
    ] as const) {
      const r = run([...flags], 'true');
      expect(r.code, r.stderr).toBe(125);
      expect(r.stderr).toContain(text);
    }
  });

  it('--group-add adds groups by number or by the image\'s group names', () => {
    expect(ok(run(['--group-add', '123', '--group-add', 'nogroup'], 'id -G'))).toBe('0 123 65534\n');
    const missing = run(['--group-add', 'nosuchgroup'], 'true');
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain('unable to find group nosuchgroup');
    ok(d.berth(['create', '--name', 'grouped', '--group-add', '123', '--shm-size', '2m', '--sysctl', 'kernel.sem=1 2 3 4', 'busybox', 'true']));
    expect(inspectContainer(d, 'grouped').HostConfig).toMatchObject({ GroupAdd: ['123'], ShmSize: 2 * 1024 * 1024, Sysctls: { 'kernel.sem': '1 2 3 4' } });
    ok(d.berth(['rm', 'grouped']));
  });
});
