// The life of one container, from creation to removal. Pure: every effect is
// an invoked actor named here and supplied by src/actors/container-actor.ts
// (tests supply their own). Times arrive in event payloads, never from a
// clock; the restart backoff is an xstate delay, so tests drive it with a
// simulated clock.
import { assign, setup } from 'xstate';
import type { ContainerMount } from '../runtime/user-mounts.js';
import type { ContainerNetwork } from '../network/container-network.js';
import type { EtcOptions } from '../network/etc-files.js';
import { unprovided } from './unprovided.js';
import type { HostOptions } from '../runtime/host-options.js';
import { serializeError, type SerializedError } from '../errors.js';
import type { HealthConfig } from './health-config.js';
import type { HealthState } from './health.js';
import { backoffDelay, ranFor, RESET_AFTER_MS, restartsWithDaemon, shouldRestart, NO_RESTART, type RestartPolicy } from './restart-policy.js';

/** Everything the runtime needs to start the container; fixed at creation. */
export interface ContainerRunSpec {
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids?: number[] };
  hostname: string;
  /** --domainname (set in the container's UTS namespace) */
  domainname?: string;
  /** overlay lower dirs, top layer first */
  lowerDirs: string[];
  autoRemove: boolean;
  tty?: boolean;
  openStdin?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  labels?: Record<string, string>;
  /** --annotation, written to config.json */
  annotations?: Record<string, string>;
  restartPolicy?: RestartPolicy;
  logDriver?: 'local' | 'json-file' | 'none';
  logOpts?: Record<string, string>;
  /** -v, --mount and image VOLUMEs, resolved at creation */
  mounts?: ContainerMount[];
  /** --network, resolved at creation; absent means none */
  network?: ContainerNetwork;
  /** Config.ExposedPorts beyond the image's: --expose and -p container ports ("80/tcp") */
  exposedPorts?: string[];
  /** --add-host, --dns, --dns-search, --dns-option, --network-alias */
  etc?: EtcOptions;
  /** resource and security settings (run -m, --cpus, --cap-add, --privileged, ...) */
  host?: HostOptions;
  /** the resolved health check (flags over image HEALTHCHECK); absent when none */
  health?: HealthConfig;
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
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  error: SerializedError | null;
  removeRequested: boolean;
  stopTimeout: number;
  /** set by stop/kill; a manually stopped container is not restarted by its policy */
  manuallyStopped: boolean;
  restartCount: number;
  /** restarts since the last run that lasted RESET_AFTER_MS: the backoff step */
  backoffStep: number;
  /** State.Health, reported by the health monitor while the container runs */
  health?: HealthState | null;
}

export interface StartOutput { pid: number; startedAt: string }
export interface ExitOutput { exitCode: number; finishedAt: string; oomKilled?: boolean }

export type ContainerEvent =
  | { type: 'START' }
  | { type: 'STOP'; timeout: number }
  | { type: 'KILL'; signal: number }
  | { type: 'PAUSE' }
  | { type: 'UNPAUSE' }
  | { type: 'RENAME'; name: string }
  /** `berth update`: new resource limits and/or restart policy, kept for later starts */
  | { type: 'UPDATE'; host: HostOptions; restartPolicy?: RestartPolicy }
  | { type: 'HEALTH'; health: HealthState; changed: boolean }
  | { type: 'REMOVE'; force: boolean }
  /** the daemon started again and found this container */
  | { type: 'DAEMON_RESTORED' };

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
    pauseContainer: unprovided<void, ContainerContext>('container', 'pauseContainer'),
    resumeContainer: unprovided<void, ContainerContext>('container', 'resumeContainer'),
    removeContainer: unprovided<void, ContainerContext>('container', 'removeContainer'),
  },
  guards: {
    forced: ({ event }) => event.type === 'REMOVE' && event.force,
    shouldRemove: ({ context }) => context.spec.autoRemove || context.removeRequested,
    shouldRestart: ({ context }) =>
      shouldRestart({
        policy: context.spec.restartPolicy ?? NO_RESTART,
        exitCode: context.exitCode,
        restartCount: context.restartCount,
        manuallyStopped: context.manuallyStopped,
      }),
    restartsWithDaemon: ({ context }) => restartsWithDaemon(context.spec.restartPolicy ?? NO_RESTART, context.manuallyStopped),
  },
  delays: {
    backoff: ({ context }) => backoffDelay(context.backoffStep),
  },
  actions: {
    update: assign({
      spec: ({ context, event }) => (event.type === 'UPDATE'
        ? { ...context.spec, host: { ...context.spec.host, ...event.host }, restartPolicy: event.restartPolicy ?? context.spec.restartPolicy }
        : context.spec),
    }),
    rename: assign({ name: ({ context, event }) => (event.type === 'RENAME' ? event.name : context.name) }),
    markManualStop: assign({ manuallyStopped: true }),
    // the error event of startContainer
    startFailed: assign(({ event }) => {
      const error = serializeError((event as unknown as { error: unknown }).error);
      return { error, exitCode: exitCodeForStartError(error) };
    }),
  },
}).createMachine({
  id: 'container',
  initial: 'created',
  context: ({ input }) => ({
    ...input,
    pid: null,
    exitCode: null,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    error: null,
    removeRequested: false,
    stopTimeout: input.spec.stopTimeout ?? 10,
    manuallyStopped: false,
    restartCount: 0,
    backoffStep: 0,
  }),
  on: {
    RENAME: { actions: 'rename' },
    UPDATE: { actions: 'update' },
    HEALTH: { actions: assign(({ event }) => ({ health: event.health })) },
  },
  states: {
    created: {
      on: {
        START: { target: 'starting', actions: assign({ manuallyStopped: false, error: null }) },
        REMOVE: 'removing',
      },
    },
    starting: {
      invoke: {
        src: 'startContainer',
        input: ({ context }) => context,
        onDone: {
          target: 'running',
          actions: assign(({ context, event }) => ({
            pid: event.output.pid,
            startedAt: event.output.startedAt,
            exitCode: null,
            oomKilled: false,
            finishedAt: null,
            error: null,
            ...(context.spec.health ? { health: { Status: 'starting' as const, FailingStreak: 0, Log: [] } } : {}),
          })),
        },
        onError: [
          // A start that fails leaves the container created, as Docker does,
          // unless it was meant to be removed.
          { guard: 'shouldRemove', target: 'removing', actions: 'startFailed' },
          { target: 'created', actions: 'startFailed' },
        ],
      },
    },
    running: {
      invoke: {
        src: 'waitForExit',
        input: ({ context }) => context,
        onDone: {
          target: 'exited',
          actions: assign(({ context, event }) => ({
            exitCode: event.output.exitCode,
            oomKilled: event.output.oomKilled ?? false,
            finishedAt: event.output.finishedAt,
            pid: null,
            backoffStep: ranFor(context.startedAt, event.output.finishedAt) >= RESET_AFTER_MS ? 0 : context.backoffStep,
          })),
        },
        onError: {
          target: 'dead',
          actions: assign(({ event }) => ({ error: serializeError(event.error), pid: null })),
        },
      },
      on: {
        KILL: { actions: 'markManualStop' },
      },
      initial: 'active',
      states: {
        active: {
          on: {
            STOP: { target: 'stopping', actions: [assign(({ event }) => ({ stopTimeout: event.timeout })), 'markManualStop'] },
            PAUSE: 'pausing',
            REMOVE: {
              guard: 'forced',
              target: 'stopping',
              actions: assign({ removeRequested: true, stopTimeout: 0, manuallyStopped: true }),
            },
          },
        },
        pausing: {
          invoke: { src: 'pauseContainer', input: ({ context }) => context, onDone: 'paused', onError: 'active' },
        },
        paused: {
          on: {
            UNPAUSE: 'unpausing',
            // Docker refuses to stop a paused container; force removal thaws it first.
            REMOVE: { guard: 'forced', target: 'unpausingToStop', actions: assign({ removeRequested: true, stopTimeout: 0, manuallyStopped: true }) },
          },
        },
        unpausing: {
          invoke: { src: 'resumeContainer', input: ({ context }) => context, onDone: 'active', onError: 'paused' },
        },
        unpausingToStop: {
          invoke: { src: 'resumeContainer', input: ({ context }) => context, onDone: 'stopping', onError: 'stopping' },
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
      always: [
        { guard: 'shouldRemove', target: 'removing' },
        { guard: 'shouldRestart', target: 'restarting' },
      ],
      on: {
        START: { target: 'starting', actions: assign({ manuallyStopped: false, backoffStep: 0, error: null }) },
        REMOVE: 'removing',
        DAEMON_RESTORED: {
          guard: 'restartsWithDaemon',
          target: 'starting',
          actions: assign({ manuallyStopped: false, backoffStep: 0 }),
        },
      },
    },
    restarting: {
      after: {
        backoff: {
          target: 'starting',
          actions: assign(({ context }) => ({ restartCount: context.restartCount + 1, backoffStep: context.backoffStep + 1 })),
        },
      },
      on: {
        START: { target: 'starting', actions: assign(({ context }) => ({ restartCount: context.restartCount + 1, backoffStep: 0 })) },
        STOP: { target: 'exited', actions: 'markManualStop' },
        KILL: { target: 'exited', actions: 'markManualStop' },
        REMOVE: { guard: 'forced', target: 'removing' },
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

export type DockerState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'removing' | 'dead';

/** Docker's name for where a container stands, from the machine's state value. */
export function dockerState(value: unknown): DockerState {
  if (value && typeof value === 'object') {
    const [top, sub] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    if (top === 'running') return sub === 'paused' || sub === 'unpausing' ? 'paused' : 'running';
    return dockerState(top);
  }
  switch (value) {
    case 'starting':
    case 'created':
      return 'created';
    case 'running':
      return 'running';
    case 'restarting':
      return 'restarting';
    case 'exited':
      return 'exited';
    case 'removing':
    case 'removed':
      return 'removing';
    default:
      return 'dead';
  }
}
