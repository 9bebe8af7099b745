// berth run: create and start a container; attached, stream its output and
// exit with its exit code; detached (-d), print its id.
import type { Invocation } from '../../invocation.js';
import type { StreamEvent } from '../../../src/protocol/frames.js';
import { withDaemon } from '../../session.js';
import { outputWriter } from '../../output.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { ProgressRenderer } from '../../format/progress.js';
import { toRunParams, type RunFlags } from './run-options.js';

export default async function run(inv: Invocation): Promise<number> {
  const params = toRunParams(inv.args, inv.opts as RunFlags);
  const writeOutput = outputWriter();
  // An implicit pull ("Unable to find image …") is reported on stderr so stdout stays the container's.
  const pullProgress = new ProgressRenderer(process.stderr, process.stderr.isTTY === true);
  const onEvent = (ev: StreamEvent) => (ev.kind === 'output' ? writeOutput(ev) : pullProgress.render(ev));
  const result = await withDaemon(inv, (client) =>
    client.call('container.run', params, { onEvent, signal: params.detach ? undefined : cancelOnInterrupt() }));
  if (params.detach) {
    process.stdout.write(`${result.id}\n`);
    return 0;
  }
  return result.exitCode ?? 0;
}
