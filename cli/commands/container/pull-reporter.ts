// run/create's implicit pull, reported on stderr so stdout stays the container's.
import type { StreamEvent } from '../../../src/protocol/frames.js';
import { ProgressRenderer } from '../../format/progress.js';

/** An implicit pull's output on stderr (stdout stays the container's); with -q only Docker's "Unable to find image" line. */
export function pullReporter(quiet: boolean): (ev: StreamEvent) => void {
  const progress = new ProgressRenderer(process.stderr, process.stderr.isTTY === true);
  return (ev) => {
    if (!quiet) progress.render(ev);
    else if (ev.kind === 'status' && ev.message.startsWith('Unable to find image')) process.stderr.write(`${ev.message}\n`);
  };
}
