// OCI hooks: every kind, with the state on stdin, in the right namespaces and
// order; failures fail create/start, except poststart/poststop (warnings).
import { chmodSync, existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, leftovers } from './bundle.js';

let sb: Sandbox;
beforeAll(() => { sb = new Sandbox(); });
afterEach(async () => { await sb.cleanup(); });
afterAll(() => sb.destroy());

/** A host shell script that records its kind, stdin, args, env and mount namespace. */
function recorder(dir: string): string {
  const p = join(dir, 'record-hook');
  writeFileSync(p, `#!/bin/sh
kind=$1
cat > "${dir}/$kind.state"
echo "$kind" >> "${dir}/order"
echo "$*|$HOOK_VAR|$(env | grep -v ^PWD= | wc -l)" > "${dir}/$kind.args"
readlink /proc/self/ns/mnt > "${dir}/$kind.mntns"
`);
  chmodSync(p, 0o755);
  return p;
}

describe('berth-runtime hooks', () => {
  it('runs every hook kind in order with the state, args, env and namespaces of the spec', () => {
    const id = 'h-all';
    sb.ids.add(id);
    const rec = recorder(sb.dir);
    // startContainer resolves in the container: a script inside the rootfs.
    writeFileSync(join(sb.rootfs, 'start-hook'), '#!/bin/sh\ncat > /tmp/startContainer.state\necho "$1" > /tmp/startContainer.args\n');
    chmodSync(join(sb.rootfs, 'start-hook'), 0o755);
    const hook = (kind: string) => ({ path: rec, args: ['record-hook', kind, 'extra'], env: ['HOOK_VAR=v-' + kind], timeout: 20 });
    const bundle = sb.bundle(id, ['sh', '-c', 'sleep 100'], (c) => {
      c.annotations = { 'org.test': 'yes' };
      c.hooks = {
        prestart: [hook('prestart')], createRuntime: [hook('createRuntime')], createContainer: [hook('createContainer')],
        startContainer: [{ path: '/start-hook', args: ['start-hook', 'in-container'] }],
        poststart: [hook('poststart')], poststop: [hook('poststop')],
      };
    });
    const c = sb.rt(['create', '--bundle', bundle, id]);
    expect(c.code, c.err).toBe(0);
    const pid = sb.state(id).pid;
    expect(readFileSync(join(sb.dir, 'order'), 'utf8')).toBe('prestart\ncreateRuntime\ncreateContainer\n');
    const hostMnt = readlinkSync('/proc/self/ns/mnt'), ctrMnt = readlinkSync(`/proc/${pid}/ns/mnt`);
    expect(readFileSync(join(sb.dir, 'prestart.mntns'), 'utf8').trim()).toBe(hostMnt);
    expect(readFileSync(join(sb.dir, 'createRuntime.mntns'), 'utf8').trim()).toBe(hostMnt);
    expect(readFileSync(join(sb.dir, 'createContainer.mntns'), 'utf8').trim()).toBe(ctrMnt);
    // Exactly the hook's args and env (one variable).
    expect(readFileSync(join(sb.dir, 'prestart.args'), 'utf8').trim()).toBe('prestart extra|v-prestart|1');
    for (const kind of ['prestart', 'createRuntime', 'createContainer']) {
      const st = JSON.parse(readFileSync(join(sb.dir, `${kind}.state`), 'utf8'));
      expect(st).toMatchObject({ id, status: 'creating', pid, bundle, annotations: { 'org.test': 'yes' } });
      expect(st.ociVersion).toMatch(/^1\./);
    }
    expect(existsSync(join(sb.rootfs, 'tmp/startContainer.state'))).toBe(false);

    const s = sb.rt(['start', id]);
    expect(s.code, s.err).toBe(0);
    expect(JSON.parse(readFileSync(join(sb.rootfs, 'tmp/startContainer.state'), 'utf8'))).toMatchObject({ id, status: 'created', pid });
    expect(readFileSync(join(sb.rootfs, 'tmp/startContainer.args'), 'utf8')).toBe('in-container\n');
    expect(JSON.parse(readFileSync(join(sb.dir, 'poststart.state'), 'utf8'))).toMatchObject({ id, status: 'running', pid });

    const d = sb.rt(['delete', '--force', id]);
    expect(d.code, d.err).toBe(0);
    expect(readFileSync(join(sb.dir, 'order'), 'utf8')).toBe('prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop\n');
    expect(JSON.parse(readFileSync(join(sb.dir, 'poststop.state'), 'utf8'))).toMatchObject({ id, status: 'stopped' });
    expect(leftovers(sb, id)).toEqual([]);
  });

  it('fails create when a createRuntime or createContainer hook fails, and cleans up', () => {
    for (const kind of ['prestart', 'createRuntime', 'createContainer']) {
      const id = `h-fail-${kind.toLowerCase()}`;
      sb.ids.add(id);
      const r = sb.rt(['create', '--bundle', sb.bundle(id, ['true'], (c) => {
        c.hooks = { [kind]: [{ path: '/bin/sh', args: ['sh', '-c', 'echo hook-output >&2; exit 3'] }] };
      }), id]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`${kind} hook #0 \\(/bin/sh\\): exited with status 3`));
      expect(leftovers(sb, id)).toEqual([]);
    }
  });

  it('runs poststop hooks after a create that failed, with the state stopped', () => {
    for (const [kind, failing] of [['createRuntime', ['sh', '-c', 'exit 3']], ['process', null]] as const) {
      const id = `h-poststop-${kind.toLowerCase()}`;
      sb.ids.add(id);
      const rec = recorder(sb.dir);
      const r = sb.rt(['create', '--bundle', sb.bundle(id, failing ? ['true'] : ['/no/such/command'], (c) => {
        c.hooks = {
          ...(failing ? { createRuntime: [{ path: '/bin/sh', args: [...failing] }] } : {}),
          poststop: [{ path: rec, args: ['record-hook', `poststop-${kind}`] }],
        };
      }), id]);
      expect(r.code).toBe(1);
      expect(JSON.parse(readFileSync(join(sb.dir, `poststop-${kind}.state`), 'utf8'))).toMatchObject({ id, status: 'stopped' });
      expect(leftovers(sb, id)).toEqual([]);
    }
  });

  it('kills a hook past its timeout and fails create', () => {
    const id = 'h-timeout';
    sb.ids.add(id);
    const r = sb.rt(['create', '--bundle', sb.bundle(id, ['true'], (c) => {
      c.hooks = { createRuntime: [{ path: '/bin/sleep', args: ['sleep', '60'], timeout: 1 }] };
    }), id]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/createRuntime hook #0 \(\/bin\/sleep\): timed out after 1 s and was killed/);
    expect(leftovers(sb, id)).toEqual([]);
  });

  it('fails start when a startContainer hook fails; poststart and poststop failures only warn', () => {
    const id = 'h-start';
    sb.ids.add(id);
    let r = sb.rt(['create', '--bundle', sb.bundle(id, ['sleep', '100'], (c) => {
      c.hooks = { startContainer: [{ path: '/bin/false' }] };
    }), id]);
    expect(r.code, r.err).toBe(0);
    r = sb.rt(['start', id]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/startContainer hook #0 \(\/bin\/false\): exited with status 1/);
    expect(sb.state(id).status).toBe('stopped');
    expect(sb.rt(['delete', id]).code).toBe(0);

    const id2 = 'h-warn';
    sb.ids.add(id2);
    r = sb.rt(['run', '--bundle', sb.bundle(id2, ['sh', '-c', 'echo ran'], (c) => {
      c.hooks = { poststart: [{ path: '/bin/false' }], poststop: [{ path: '/nonexistent/hook' }] };
    }), id2]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('ran\n');
    expect(r.err).toMatch(/warning: poststart hook #0 \(\/bin\/false\) failed: exited with status 1/);
    expect(r.err).toMatch(/warning: poststop hook #0 \(\/nonexistent\/hook\) failed/);
    expect(leftovers(sb, id2)).toEqual([]);
  });

  it('rejects malformed hooks', () => {
    const id = 'h-bad';
    sb.ids.add(id);
    let r = sb.rt(['create', '--bundle', sb.bundle(id, ['true'], (c) => { c.hooks = { prestart: [{ path: 'relative' }] }; }), id]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/hooks\.prestart\[0\]\.path must be an absolute path/);
    r = sb.rt(['create', '--bundle', sb.bundle(id, ['true'], (c) => { c.hooks = { prestop: [] }; }), id]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/hooks\.prestop: unknown hook kind/);
  });
});
