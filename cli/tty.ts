// The terminal while a container owns it (run -it, start -ai, attach, exec -it):
// raw mode on our stdin, restored on every way out — normal return, thrown
// error, process.exit, and SIGTERM/SIGHUP/SIGINT (after which the signal is
// re-raised so our exit status still says what killed us) — plus window-size
// changes (SIGWINCH) for the container's pseudo-terminal.
import type { ReadStream, WriteStream } from 'node:tty';

export interface TerminalSize { rows: number; cols: number }

export interface RawTerminal {
  /** Leaves raw mode; safe to call more than once. */
  restore(): void;
}

const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];

/** Puts `input` in raw mode when it is a terminal; otherwise does nothing (and restore is a no-op). */
export function enterRawMode(input: NodeJS.ReadStream = process.stdin): RawTerminal {
  const tty = input as ReadStream;
  if (!tty.isTTY || typeof tty.setRawMode !== 'function') return { restore() {} };
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    for (const sig of FATAL_SIGNALS) process.off(sig, onSignal);
    try { tty.setRawMode(false); } catch { /* the terminal is gone; nothing to restore */ }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, sig);
  };
  tty.setRawMode(true);
  process.on('exit', restore);
  for (const sig of FATAL_SIGNALS) process.on(sig, onSignal);
  return { restore };
}

export function terminalSize(output: NodeJS.WriteStream = process.stdout): TerminalSize | undefined {
  const tty = output as WriteStream;
  if (!tty.isTTY || typeof tty.getWindowSize !== 'function') return undefined;
  const [cols, rows] = tty.getWindowSize();
  return cols > 0 && rows > 0 ? { rows, cols } : undefined;
}

/** Calls `onResize` with the new size on every SIGWINCH; returns the unsubscribe function. */
export function watchTerminalSize(onResize: (size: TerminalSize) => void, output: NodeJS.WriteStream = process.stdout): () => void {
  if (!(output as WriteStream).isTTY) return () => {};
  const handler = () => {
    const size = terminalSize(output);
    if (size) onResize(size);
  };
  process.on('SIGWINCH', handler);
  return () => { process.off('SIGWINCH', handler); };
}
