// Transitions of the container machine, with its effects supplied by the test.
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { containerMachine, exitCodeForStartError, type ContainerInput } from '../../src/machines/container.js';
import { BerthError } from '../../src/errors.js';

const input: ContainerInput = {
  id: 'a'.repeat(64),
  name: 'test',
  image: 'busybox',
  imageId: 'sha256:' + 'b'.repeat(64),
  createdAt: '2026-01-01T00:00:00.000Z',
  spec: { args: ['true'], env: [], cwd: '/', user: { uid: 0, gid: 0 }, hostname: 'aaaaaaaaaaaa', lowerDirs: ['/l'], autoRemove: false },
};

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function machineWith(effects: {
  start?: () => Promise<{ pid: number; startedAt: string }>;
  exit?: () => Promise<{ exitCode: number; finishedAt: string }>;
  stop?: () => Promise<void>;
  remove?: () => Promise<void>;
}) {
  return containerMachine.provide({
    actors: {
      startContainer: fromPromise(effects.start ?? (async () => ({ pid: 42, startedAt: '2026-01-01T00:00:01.000Z' }))),
      waitForExit: fromPromise(effects.exit ?? (() => new Promise<never>(() => {}))),
      stopContainer: fromPromise(effects.stop ?? (async () => {})),
      removeContainer: fromPromise(effects.remove ?? (async () => {})),
    },
  });
}

describe('container machine', () => {
  it('created → starting → running → exited, recording pid and exit code', async () => {
    const exit = deferred<{ exitCode: number; finishedAt: string }>();
    const a = createActor(machineWith({ exit: () => exit.promise }), { input }).start();
    expect(a.getSnapshot().value).toBe('created');
    a.send({ type: 'START' });
    expect(a.getSnapshot().value).toBe('starting');
    await waitFor(a, (s) => s.matches('running'));
    expect(a.getSnapshot().context.pid).toBe(42);
    exit.resolve({ exitCode: 3, finishedAt: '2026-01-01T00:00:02.000Z' });
    const s = await waitFor(a, (s) => s.matches('exited'));
    expect(s.context.exitCode).toBe(3);
    expect(s.context.pid).toBeNull();
  });

  it('a failed start returns to created with Docker exit code 127 for a missing command', async () => {
    const a = createActor(
      machineWith({ start: async () => { throw new BerthError('command_not_found', 'exec: "x": executable file not found in $PATH'); } }),
      { input },
    ).start();
    a.send({ type: 'START' });
    const s = await waitFor(a, (s) => s.matches('created') && s.context.error !== null);
    expect(s.context.exitCode).toBe(127);
    expect(s.context.error?.code).toBe('command_not_found');
  });

  it('maps start errors to Docker exit codes', () => {
    expect(exitCodeForStartError({ code: 'command_not_found', message: '' })).toBe(127);
    expect(exitCodeForStartError({ code: 'command_not_executable', message: '' })).toBe(126);
  });

  it('autoRemove goes from exited to removing to removed', async () => {
    const a = createActor(machineWith({ exit: async () => ({ exitCode: 0, finishedAt: 't' }) }), {
      input: { ...input, spec: { ...input.spec, autoRemove: true } },
    }).start();
    a.send({ type: 'START' });
    const s = await waitFor(a, (s) => s.status === 'done');
    expect(s.value).toBe('removed');
  });

  it('refuses REMOVE of a running container without force, accepts it with force', async () => {
    const exit = deferred<{ exitCode: number; finishedAt: string }>();
    let stopTimeout = -1;
    const m = machineWith({ exit: () => exit.promise, stop: async () => { stopTimeout = 0; } });
    const a = createActor(m, { input }).start();
    a.send({ type: 'START' });
    await waitFor(a, (s) => s.matches('running'));
    expect(a.getSnapshot().can({ type: 'REMOVE', force: false })).toBe(false);
    expect(a.getSnapshot().can({ type: 'REMOVE', force: true })).toBe(true);
    a.send({ type: 'REMOVE', force: true });
    expect(a.getSnapshot().matches({ running: 'stopping' })).toBe(true);
    expect(a.getSnapshot().context.stopTimeout).toBe(0);
    await waitFor(a, (s) => s.matches({ running: 'stopRequested' }));
    expect(stopTimeout).toBe(0);
    exit.resolve({ exitCode: 137, finishedAt: 't' });
    const s = await waitFor(a, (s) => s.status === 'done');
    expect(s.value).toBe('removed');
  });

  it('STOP asks the stop effect and waits for the exit', async () => {
    const exit = deferred<{ exitCode: number; finishedAt: string }>();
    const a = createActor(machineWith({ exit: () => exit.promise, stop: async () => exit.resolve({ exitCode: 143, finishedAt: 't' }) }), { input }).start();
    a.send({ type: 'START' });
    await waitFor(a, (s) => s.matches('running'));
    a.send({ type: 'STOP', timeout: 1 });
    const s = await waitFor(a, (s) => s.matches('exited'));
    expect(s.context.exitCode).toBe(143);
  });

  it('a lost shim makes the container dead; dead can be removed', async () => {
    const a = createActor(machineWith({ exit: async () => { throw new Error('shim gone'); } }), { input }).start();
    a.send({ type: 'START' });
    const s = await waitFor(a, (s) => s.matches('dead'));
    expect(s.context.error?.message).toBe('shim gone');
    a.send({ type: 'REMOVE', force: false });
    await waitFor(a, (s) => s.status === 'done');
  });

  it('rehydrates from a persisted snapshot and re-invokes waitForExit', async () => {
    const first = createActor(machineWith({}), { input }).start();
    first.send({ type: 'START' });
    await waitFor(first, (s) => s.matches('running'));
    const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    let waited = 0;
    const restored = createActor(
      machineWith({ exit: async () => { waited++; return { exitCode: 9, finishedAt: 't' }; } }),
      { input, snapshot: persisted },
    ).start();
    const s = await waitFor(restored, (s) => s.matches('exited'));
    expect(waited).toBe(1);
    expect(s.context.exitCode).toBe(9);
    expect(s.context.startedAt).toBe('2026-01-01T00:00:01.000Z');
  });
});
