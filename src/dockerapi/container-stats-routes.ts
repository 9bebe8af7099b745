// /containers/{id}/stats (one sample, or one a second until the client goes
// away or the container stops) in Docker's stats JSON, and
// /containers/{id}/update (resources and restart policy of a container).
import { availableParallelism } from 'node:os';
import type { StatsSample } from '../protocol/container-methods.js';
import { callHandler } from './handler-call.js';
import { boolQuery, sendJson } from './http-util.js';
import { hostOptions, refuseUnsupported, restartPolicy, type DockerHostConfig } from './container-hostconfig.js';
import type { Route, RouteContext } from './route.js';

const re = (path: string) => new RegExp(`^${path.replaceAll('{id}', '([^/]+)')}$`);

interface CpuCounters { total: number; system: number }

/**
 * Berth's samples carry the CPU percentage, not the cgroup's counters; the
 * counters here are built so that Docker's client formula
 * (Δtotal / Δsystem × online_cpus × 100) gives that percentage back.
 */
function nextCounters(prev: CpuCounters, cpuPercent: number, cpus: number): CpuCounters {
  return { total: prev.total + Math.round((cpuPercent / 100) * 1e9), system: prev.system + cpus * 1e9 };
}

function cpuStats(c: CpuCounters, cpus: number): Record<string, unknown> {
  return {
    cpu_usage: { total_usage: c.total, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: c.system,
    online_cpus: cpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

export function dockerStats(s: StatsSample, pre: { read: string; cpu: CpuCounters }, cpu: CpuCounters, cpus: number): Record<string, unknown> {
  const net = s.netRx > 0 || s.netTx > 0
    ? { networks: { eth0: { rx_bytes: s.netRx, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_bytes: s.netTx, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } } }
    : {};
  return {
    read: s.read,
    preread: pre.read,
    pids_stats: { current: s.pids },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 0, minor: 0, op: 'read', value: s.blockRead },
        { major: 0, minor: 0, op: 'write', value: s.blockWrite },
      ],
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(cpu, cpus),
    precpu_stats: cpuStats(pre.cpu, cpus),
    memory_stats: { usage: s.memoryUsage, limit: s.memoryLimit, stats: {} },
    name: `/${s.name}`,
    id: s.id,
    ...net,
  };
}

async function sampleOf(ctx: RouteContext, id: string): Promise<StatsSample> {
  const [s] = await callHandler<StatsSample[]>(ctx.handlers, 'container.stats', { ids: [id] }, { signal: new AbortController().signal });
  return s;
}

export const containerStatsRoutes: Route[] = [
  {
    method: 'GET',
    path: re('/containers/{id}/stats'),
    async run(ctx) {
      const id = ctx.params[0];
      const stream = ctx.query.has('stream') ? boolQuery(ctx.query, 'stream') : true;
      const cpus = availableParallelism();
      const first = await sampleOf(ctx, id); // a stopped or missing container is an error status, before any body
      const zero = { read: '0001-01-01T00:00:00Z', cpu: { total: 0, system: 0 } };
      let cpu = nextCounters(zero.cpu, first.cpuPercent, cpus);
      if (!stream) {
        sendJson(ctx.res!, 200, dockerStats(first, zero, cpu, cpus));
        return;
      }
      // The daemon's own stream: a sample a second, ending once the container no longer runs.
      const sink = ctx.stream('application/json');
      let pre = { read: first.read, cpu };
      sink.write(Buffer.from(`${JSON.stringify(dockerStats(first, zero, cpu, cpus))}\n`));
      await callHandler(ctx.handlers, 'container.stats', { ids: [id], stream: true }, {
        signal: sink.signal,
        drained: () => sink.drained(),
        onEvent: (ev) => {
          if (ev.kind !== 'stats' || ev.samples.length === 0) return;
          const s = ev.samples[0];
          const next = nextCounters(pre.cpu, s.cpuPercent, cpus);
          sink.write(Buffer.from(`${JSON.stringify(dockerStats(s, pre, next, cpus))}\n`));
          pre = { read: s.read, cpu: next };
        },
      }).catch(() => {}); // the container went away mid-stream: the stream ends, as Docker's does
    },
  },
  {
    method: 'POST',
    path: re('/containers/{id}/update'),
    async run(ctx) {
      const body = (await ctx.body<DockerHostConfig>()) ?? {};
      refuseUnsupported(body);
      const params: Record<string, unknown> = { id: ctx.params[0] };
      const host = hostOptions(body);
      if (host) params.host = host;
      const restart = restartPolicy(body.RestartPolicy);
      if (restart) params.restart = restart;
      await callHandler(ctx.handlers, 'container.update', params, { signal: new AbortController().signal });
      sendJson(ctx.res!, 200, { Warnings: [] });
    },
  },
];
