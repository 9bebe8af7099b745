// The life of one container, from creation to removal. Pure: every effect is
// an invoked actor named here and supplied by src/actors/container-actor.ts
// (tests supply their own). Times arrive in event payloads, never from a clock.
import { assign, setup } from 'xstate';
import { unprovided } from './unprovided.js';
import { serializeError, type SerializedError } from '../errors.js';

/** Everything the runtime needs to start the container; fixed at creation. */
export interface ContainerRunSpec {
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number };
  hostname: string;
  /** overlay lower dirs, top layer first */
  lowerDirs: string[];
  autoRemove: boolean;
}

export interface ContainerInput {
  id: string;
  name: string;
  image: string;
  imageId: string;
  createdAt: string;
  spec: ContainerRunSpec;
}

export interface ContainerContext extends ContainerInput {
  pid: number | null;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: SerializedError | null;
  removeRequested: boolean;
  stopTimeout: number;
}

export interface StartOutput { pid: number; startedAt: string }
export interface ExitOutput { exitCode: number; finishedAt: string }

export type ContainerEvent =
  | { type: 'START' }
  | { type: 'STOP'; timeout: number }
  | { type: 'REMOVE'; force: boolean };

/** Docker's exit code for a start that failed before the process ran. */
export function exitCodeForStartError(err: SerializedError): number {
  if (err.code === 'command_not_found') return 127;
  if (err.code === 'command_not_executable') return 126;
  return 128;
}

export const containerMachine = setup({
  types: {
    context: {} as ContainerContext,
    input: {} as ContainerInput,
    events: {} as ContainerEvent,
  },
  actors: {
    startContainer: unprovided<StartOutput, ContainerContext>('container', 'startContainer'),
    waitForExit: unprovided<ExitOutput, ContainerContext>('container', 'waitForExit'),
    stopContainer: unprovided<void, ContainerContext>('container', 'stopContainer'),
    removeContainer: unprovided<void, ContainerContext>('container', 'removeContainer'),
  },
  guards: {
    forced: ({ event }) => event.type === 'REMOVE' && event.force,
    shouldRemove: ({ context }) => context.spec.autoRemove || context.removeRequested,
  },
}).createMachine({
  id: 'container',
  initial: 'created',
  context: ({ input }) => ({
    ...input,
    pid: null,
    exitCode: null,
    startedAt: null,
    finishedAt: null,
    error: null,
    removeRequested: false,
    stopTimeout: 10,
  }),
  states: {
    created: {
      on: {
        START: 'starting',
        REMOVE: 'removing',
      },
    },
    starting: {
      invoke: {
        src: 'startContainer',
        input: ({ context }) => context,
        onDone: {
          target: 'running',
          actions: assign(({ event }) => ({
            pid: event.output.pid,
            startedAt: event.output.startedAt,
            exitCode: null,
            finishedAt: null,
            error: null,
          })),
        },
        onError: [
          {
            // A start that fails leaves the container created, as Docker does,
            // unless it was meant to be removed.
            guard: 'shouldRemove',
            target: 'removing',
            actions: assign(({ event }) => {
              const error = serializeError(event.error);
              return { error, exitCode: exitCodeForStartError(error) };
            }),
          },
          {
            target: 'created',
            actions: assign(({ event }) => {
              const error = serializeError(event.error);
              return { error, exitCode: exitCodeForStartError(error) };
            }),
          },
        ],
      },
    },
    running: {
      invoke: {
        src: 'waitForExit',
        input: ({ context }) => context,
        onDone: {
          target: 'exited',
          actions: assign(({ event }) => ({
            exitCode: event.output.exitCode,
            finishedAt: event.output.finishedAt,
            pid: null,
          })),
        },
        onError: {
          target: 'dead',
          actions: assign(({ event }) => ({ error: serializeError(event.error), pid: null })),
        },
      },
      initial: 'active',
      states: {
        active: {
          on: {
            STOP: { target: 'stopping', actions: assign(({ event }) => ({ stopTimeout: event.timeout })) },
            REMOVE: {
              guard: 'forced',
              target: 'stopping',
              actions: assign({ removeRequested: true, stopTimeout: 0 }),
            },
          },
        },
        stopping: {
          invoke: {
            src: 'stopContainer',
            input: ({ context }) => context,
            onDone: 'stopRequested',
            onError: 'stopRequested',
          },
          on: {
            REMOVE: { guard: 'forced', actions: assign({ removeRequested: true }) },
          },
        },
        // signals were sent; the exit arrives through waitForExit
        stopRequested: {
          on: {
            STOP: { target: 'stopping', actions: assign(({ event }) => ({ stopTimeout: event.timeout })) },
            REMOVE: {
              guard: 'forced',
              target: 'stopping',
              actions: assign({ removeRequested: true, stopTimeout: 0 }),
            },
          },
        },
      },
    },
    exited: {
      always: { guard: 'shouldRemove', target: 'removing' },
      on: {
        START: 'starting',
        REMOVE: 'removing',
      },
    },
    dead: {
      on: { REMOVE: 'removing' },
    },
    removing: {
      invoke: {
        src: 'removeContainer',
        input: ({ context }) => context,
        onDone: 'removed',
        onError: {
          target: 'dead',
          actions: assign(({ event }) => ({ error: serializeError(event.error), removeRequested: false })),
        },
      },
    },
    removed: { type: 'final' },
  },
});

export type ContainerMachine = typeof containerMachine;

/** Docker's name for where a container stands, from the machine's state value. */
export function dockerState(value: unknown): 'created' | 'running' | 'exited' | 'removing' | 'dead' {
  const top = typeof value === 'string' ? value : Object.keys(value as object)[0];
  switch (top) {
    case 'starting':
    case 'created':
      return 'created';
    case 'running':
      return 'running';
    case 'exited':
      return 'exited';
    case 'removing':
    case 'removed':
      return 'removing';
    default:
      return 'dead';
  }
}
