// Cost of starting a child from a daemon-sized Node process: posix_spawn
// (the addon) against child_process.spawn (libuv fork), interleaved in one run.
// Usage: node bench/spawn.mjs [N] [MB]   (after npm run build)
// The process first fills MB (default 130) of heap, as a running daemon holds.
import { spawnCollect } from '../dist/src/runtime/spawn-collect.js';

const n = Number(process.argv[2] ?? 50);
const mb = Number(process.argv[3] ?? 130);
const ballast = [];
for (let i = 0; i < mb; i++) ballast.push(Buffer.alloc(1024 * 1024, i)); // touched pages, like a live heap
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

const samples = { posix_spawn: { wall: [], cpu: [] }, fork: { wall: [], cpu: [] } };
for (let i = 0; i < n; i++) {
  for (const fork of i % 2 ? [true, false] : [false, true]) {
    const s = samples[fork ? 'fork' : 'posix_spawn'];
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = await spawnCollect('/bin/true', [], { fork });
    s.wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    s.cpu.push((c.user + c.system) / 1000);
    if (r.code !== 0) throw new Error(`/bin/true exited ${r.code}`);
  }
}
const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
console.log(`${n} launches of /bin/true each, daemon-sized process (RSS ${rss} MB), medians:`);
for (const [k, s] of Object.entries(samples)) {
  console.log(`  ${k.padEnd(12)} wall ${median(s.wall).toFixed(2)} ms   this process's CPU ${median(s.cpu).toFixed(2)} ms`);
}
void ballast;
