// Our stdin as a call's upload (data frames, then end at EOF). With detach
// keys (terminal sessions) the bytes pass a DetachDetector: on the sequence
// the upload stops without an end frame and onDetach is called.
import { PassThrough, type Readable } from 'node:stream';
import { DetachDetector } from './commands/container/detach-keys.js';

export interface StdinUpload {
  stream: Readable;
  /** Stops reading stdin (the call is over or we detached). */
  stop(): void;
}

export function stdinUpload(opts: { input?: NodeJS.ReadStream; detachKeys?: number[]; onDetach?: () => void } = {}): StdinUpload {
  const input = opts.input ?? process.stdin;
  const stream = new PassThrough();
  const detector = opts.detachKeys ? new DetachDetector(opts.detachKeys) : undefined;
  let stopped = false;
  const onData = (chunk: Buffer) => {
    if (stopped) return;
    if (!detector) {
      if (!stream.write(chunk)) {
        input.pause();
        stream.once('drain', () => { if (!stopped) input.resume(); });
      }
      return;
    }
    const scan = detector.feed(chunk);
    if (scan.forward.length > 0) stream.write(scan.forward);
    if (scan.detached) {
      stop();
      opts.onDetach?.();
    }
  };
  const onEnd = () => { if (!stopped) stream.end(); };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    input.off('data', onData);
    input.off('end', onEnd);
    input.pause();
  };
  input.on('data', onData);
  input.once('end', onEnd);
  input.once('error', (err) => { if (!stopped) stream.destroy(err); });
  return { stream, stop };
}
