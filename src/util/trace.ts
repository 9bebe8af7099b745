// Phase timings for the hot paths, printed to the daemon's stderr when
// BERTH_TRACE=1, each line also stamped with the wall clock (so that the
// phases of actors on different threads line up). Free when off.
const enabled = process.env.BERTH_TRACE === '1';

export function traceStart(what: string): (phase: string) => void {
  if (!enabled) return () => {};
  let last = performance.now();
  const t0 = last;
  return (phase: string) => {
    const now = performance.now();
    const at = new Date(performance.timeOrigin + now).toISOString().slice(11, 23);
    process.stderr.write(`trace ${what} ${phase} +${(now - last).toFixed(2)}ms (${(now - t0).toFixed(2)}ms) @${at}\n`);
    last = now;
  };
}
