// BERTH_DEBUG_TIMING=1 prints how long each start-up phase took, to stderr.
// performance.now() counts from process start, so the first mark includes Node's own boot.

const enabled = process.env.BERTH_DEBUG_TIMING === '1';
const marks: Array<[string, number]> = [];

export function mark(phase: string): void {
  if (enabled) marks.push([phase, performance.now()]);
}

export function reportTiming(): void {
  if (!enabled || marks.length === 0) return;
  let previous = 0;
  const lines = marks.map(([phase, at]) => {
    const line = `berth timing: ${phase.padEnd(22)} +${(at - previous).toFixed(1).padStart(6)} ms  (at ${at.toFixed(1)} ms)`;
    previous = at;
    return line;
  });
  process.stderr.write(lines.join('\n') + '\n');
}
