// Writes a container's output bytes to our stdout/stderr, waiting for the
// terminal or pipe to drain so a fast container cannot balloon our memory.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { StreamEvent } from '../src/protocol/frames.js';

export interface OutputTargets { stdout: Writable; stderr: Writable }

/** Returns an onEvent handler that copies `output` events to the matching stream and ignores the rest. */
export function outputWriter(targets: OutputTargets = { stdout: process.stdout, stderr: process.stderr }) {
  return (ev: StreamEvent): void | Promise<void> => {
    if (ev.kind !== 'output') return;
    const target = ev.stream === 2 ? targets.stderr : targets.stdout;
    if (target.destroyed) return;
    if (!target.write(ev.data)) return once(target, 'drain').then(() => undefined);
  };
}
