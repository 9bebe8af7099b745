// BERTH_DEBUG_TIMING=1 prints how long each start-up phase took, to stderr:
// wall time and the process's CPU time (user+sys). Both count from process
// start, so the first mark includes Node's own boot.

const enabled = process.env.BERTH_DEBUG_TIMING === '1';
const marks: Array<[phase: string, wallMs: number, cpuMs: number]> = [];

export function mark(phase: string): void {
  if (!enabled) return;
  const cpu = process.cpuUsage();
  marks.push([phase, performance.now(), (cpu.user + cpu.system) / 1000]);
}

export function reportTiming(): void {
  if (!enabled || marks.length === 0) return;
  let wall = 0, cpu = 0;
  const lines = marks.map(([phase, at, used]) => {
    const line = `berth timing: ${phase.padEnd(22)} +${(at - wall).toFixed(1).padStart(6)} ms  (at ${at.toFixed(1)} ms)` +
      `  cpu +${(used - cpu).toFixed(1).padStart(5)} ms  (${used.toFixed(1)} ms)`;
    wall = at;
    cpu = used;
    return line;
  });
  process.stderr.write(lines.join('\n') + '\n');
}
