// One call that is attached to a container's streams (run, start -a,
// attach, exec): output to our stdout/stderr; our stdin as the upload when
// asked; with a TTY, raw mode, window-size forwarding (container.resize on
// the same connection) and the detach keys. Detaching closes the connection
// (a disconnect, not a cancel: the container keeps running).
import type { BerthClient, CallOptions } from '../../client.js';
import type { StreamEvent } from '../../../src/protocol/frames.js';
import { outputWriter } from '../../output.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { proxySignals } from './signal-proxy.js';
import { enterRawMode, terminalSize, watchTerminalSize, type RawTerminal, type TerminalSize } from '../../tty.js';
import { stdinUpload } from '../../stdin-upload.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from './detach-keys.js';

export interface ResizeTarget { id: string; execId?: string }

export interface AttachedSessionOptions {
  /** The container has a TTY (output arrives as stream 1 only). */
  tty: boolean;
  /** Send our stdin as the call's upload. */
  stdin: boolean;
  /** --detach-keys, or undefined for ctrl-p,ctrl-q. */
  detachKeys?: string;
  /** Whom to resize when the target is known up front (start -a, attach). */
  resizeTarget?: ResizeTarget;
  /** run / exec learn their target from a `container-id` event. */
  targetFromEvent?: (id: string) => ResizeTarget;
  /** Events other than output and container-id (e.g. an implicit pull's progress). */
  onOtherEvent?: (ev: StreamEvent) => void;
  /** run -a: the output streams to copy (both when undefined). */
  streams?: { stdout: boolean; stderr: boolean };
  /** What our SIGINT/SIGTERM do without a terminal: cancel the call (default), go to the container (--sig-proxy), or nothing (--sig-proxy=false). */
  signals?: 'cancel' | 'proxy' | 'none';
}

export type SessionOutcome<T> = { detached: true } | { detached: false; result: T };

export async function attachedSession<T>(
  client: BerthClient,
  opts: AttachedSessionOptions,
  start: (callOpts: CallOptions) => Promise<T>,
): Promise<SessionOutcome<T>> {
  const detachKeys = parseDetachKeys(opts.detachKeys ?? DEFAULT_DETACH_KEYS);
  const interactiveTerminal = opts.tty && opts.stdin && process.stdin.isTTY === true;
  let detached = false;
  let detach: () => void = () => {};
  const detachedSignal = new Promise<'detached'>((resolve) => { detach = () => resolve('detached'); });

  // run and exec go raw once the process exists (the container-id event): an implicit pull's progress stays readable.
  let raw: RawTerminal | undefined;
  const goRaw = () => { if (interactiveTerminal && !raw) raw = enterRawMode(process.stdin); };
  if (!opts.targetFromEvent) goRaw();
  const upload = opts.stdin
    ? stdinUpload({ detachKeys: interactiveTerminal ? detachKeys : undefined, onDetach: () => { detached = true; detach(); } })
    : undefined;

  let target = opts.resizeTarget;
  const resize = (size: TerminalSize | undefined) => {
    if (!opts.tty || !target || !size) return;
    // Best effort, like Docker: a container that already exited cannot be resized.
    client.call('container.resize', { ...target, rows: size.rows, cols: size.cols }).catch(() => {});
  };
  const unwatch = opts.tty ? watchTerminalSize(resize) : () => {};

  const writeOutput = outputWriter();
  const wanted = (ev: { stream: 1 | 2 }) => !opts.streams || (ev.stream === 2 ? opts.streams.stderr : opts.streams.stdout);
  const proxy = !interactiveTerminal && opts.signals === 'proxy' ? proxySignals(client) : undefined;
  if (target) proxy?.target(target.id);
  const onEvent = (ev: StreamEvent): void | Promise<void> => {
    if (detached) return;
    if (ev.kind === 'output') return wanted(ev) ? writeOutput(ev) : undefined;
    if (ev.kind === 'container-id' && opts.targetFromEvent) {
      target = opts.targetFromEvent(ev.id);
      proxy?.target(ev.id);
      goRaw();
      resize(terminalSize());
      return;
    }
    opts.onOtherEvent?.(ev);
  };

  try {
    if (target) resize(terminalSize());
    // In raw mode Ctrl-C is a byte for the container; otherwise the first one cancels the call.
    const signal = interactiveTerminal || opts.signals === 'none' ? undefined : proxy ? proxy.signal : cancelOnInterrupt();
    const call = start({ onEvent, upload: upload?.stream, signal });
    const first = await Promise.race([call.then((result) => ({ result })), detachedSignal]);
    if (first === 'detached') {
      call.catch(() => {}); // the connection is about to close under it
      return { detached: true };
    }
    return { detached: false, result: first.result };
  } finally {
    unwatch();
    proxy?.stop();
    upload?.stop();
    raw?.restore();
  }
}
