// The Docker Engine API through an SDK: dockerode (npm) drives pull, the
// container lifecycle, attach, logs, exec with stdin, volumes and networks
// against Berth's docker socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough, type Duplex } from 'node:stream';
import Docker from 'dockerode';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusybox } from '../fixtures/busybox-image.js';
import { dockerSocketOf } from '../fixtures/docker-cli.js';

let d: TestDaemon;
let registry: TestRegistry;
let docker: Docker;
let image: string;

beforeAll(async () => {
  registry = await startRegistry();
  await pushBusybox(registry.host, 'library/busybox');
  d = await startDaemon();
  docker = new Docker({ socketPath: dockerSocketOf(d) });
  image = `${registry.host}/library/busybox:latest`;
}, 120_000);

afterAll(async () => {
  await d?.stop();
  await registry?.stop();
});

/** Splits a multiplexed stream (or the bytes of one) into stdout and stderr text. */
function collect(stream: NodeJS.ReadableStream): { done: Promise<void>; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  docker.modem.demuxStream(stream, stdout, stderr);
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', reject);
  });
  return { done, out: () => out, err: () => err };
}

describe('dockerode against berthd', () => {
  it('pulls with progress events followed to the end', async () => {
    const stream = await docker.pull(image);
    const events: Array<{ status?: string; id?: string; error?: string }> = [];
    const output = await new Promise<unknown[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res)), (ev) => events.push(ev)),
    );
    expect(output.length).toBe(events.length);
    expect(events.some((e) => e.status === 'Pull complete' || e.status === 'Already exists' || e.status?.startsWith('Download'))).toBe(true);
    expect(events.at(-1)?.status).toBe(`Status: Downloaded newer image for ${image}`);
    expect(events.every((e) => e.error === undefined)).toBe(true);
    const info = await docker.getImage(image).inspect();
    expect(info.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a pull of a missing image ends with an error in the stream', async () => {
    const stream = await docker.pull(`${registry.host}/library/absent:latest`);
    const res = await new Promise<Array<{ error?: string; errorDetail?: { message: string } }>>((resolve, reject) => docker.modem.followProgress(stream, (err, r) => (err ? reject(err) : resolve(r))));
    expect(res.at(-1)?.error).toMatch(/absent:latest: manifest unknown/);
    expect(res.at(-1)?.errorDetail?.message).toBe(res.at(-1)?.error);
  });

  it('creates, attaches (stdout and stderr apart), starts, waits, reads logs and removes a container', async () => {
    const c = await docker.createContainer({ Image: image, name: 'sdk-one', Cmd: ['sh', '-c', 'echo out-line; echo err-line >&2; exit 4'], Labels: { via: 'dockerode' } });
    const attached = collect(await c.attach({ stream: true, stdout: true, stderr: true }));
    await c.start();
    const waited = await c.wait();
    await attached.done;
    expect(waited.StatusCode).toBe(4);
    expect(attached.out()).toBe('out-line\n');
    expect(attached.err()).toBe('err-line\n');
    const listed = await docker.listContainers({ all: true, filters: { label: ['via=dockerode'] } });
    expect(listed.map((x) => x.Names[0])).toEqual(['/sdk-one']);
    expect(listed[0].State).toBe('exited');
    const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const fromLogs = collect(new PassThrough().end(logs));
    await fromLogs.done;
    expect([fromLogs.out(), fromLogs.err()]).toEqual(['out-line\n', 'err-line\n']);
    await c.remove();
    await expect(c.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('execs a command with stdin in a running container', async () => {
    const c = await docker.createContainer({ Image: image, name: 'sdk-exec', Cmd: ['sleep', '300'] });
    await c.start();
    const exec = await c.exec({ Cmd: ['sh', '-c', 'tr a-z A-Z; echo done >&2; exit 2'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
    const got = collect(stream);
    stream.end('shout this\n');
    await got.done;
    expect(got.out()).toBe('SHOUT THIS\n');
    expect(got.err()).toBe('done\n');
    const info = await exec.inspect();
    expect(info.ExitCode).toBe(2);
    expect(info.Running).toBe(false);
    await c.remove({ force: true });
  });

  it('resizes an exec\'s terminal, and refuses a bad size or an ended exec', async () => {
    const c = await docker.createContainer({ Image: image, name: 'sdk-exec-tty', Cmd: ['sleep', '300'] });
    await c.start();
    const exec = await c.exec({ Cmd: ['sh', '-c', 'read line; stty size'], AttachStdin: true, AttachStdout: true, Tty: true });
    const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
    let out = '';
    stream.on('data', (b: Buffer) => (out += b.toString()));
    const ended = new Promise((r) => stream.on('end', r));
    await exec.resize({ h: 33, w: 77 });
    await expect(exec.resize({ h: 0, w: 77 })).rejects.toMatchObject({ statusCode: 400 });
    stream.write('go\n');
    await ended;
    expect(out).toMatch(/33 77/);
    await expect(exec.resize({ h: 10, w: 10 })).rejects.toMatchObject({ statusCode: 409 });
    await c.remove({ force: true });
  });

  it('manages volumes and networks', async () => {
    const v = await docker.createVolume({ Name: 'sdk-vol', Labels: { app: 'sdk' } });
    expect(v.name).toBe('sdk-vol');
    const vols = await docker.listVolumes({ filters: { label: ['app=sdk'] } });
    expect(vols.Volumes.map((x) => x.Name)).toEqual(['sdk-vol']);
    expect((await docker.getVolume('sdk-vol').inspect()).Labels).toEqual({ app: 'sdk' });
    await docker.getVolume('sdk-vol').remove();
    await expect(docker.getVolume('sdk-vol').inspect()).rejects.toMatchObject({ statusCode: 404 });

    const n = await docker.createNetwork({ Name: 'sdk-net', Labels: { app: 'sdk' } });
    const nets = await docker.listNetworks({ filters: { label: ['app=sdk'] } });
    expect(nets.map((x) => x.Name)).toEqual(['sdk-net']);
    const doc = await n.inspect();
    expect(doc).toMatchObject({ Name: 'sdk-net', Driver: 'bridge', Scope: 'local', Internal: false, Labels: { app: 'sdk' } });
    expect(doc.IPAM.Config[0].Subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    await n.remove();
    await expect(docker.getNetwork('sdk-net').inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
