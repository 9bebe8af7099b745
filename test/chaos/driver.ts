// The chaos driver (issue 8): a seeded sequence of container and image
// operations with faults injected between them and in the middle of them,
// checking the invariants (invariants.ts) after every fault. The same seed
// gives the same sequence; the recorded steps can be replayed exactly.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestDaemon } from '../fixtures/daemon.js';
import type { FaultProxy } from '../fixtures/fault-proxy.js';
import { Prng } from './prng.js';
import { newModel, type Model } from './model.js';
import { checkContainers, checkStore } from './invariants.js';
import { shimPid } from './kernel-state.js';

export type Op =
  | { op: 'run-detached'; name: string; restart: string; exitAfter: number | null; exitCode: number; network?: string }
  | { op: 'run-rm'; text: string }
  | { op: 'stop' | 'kill' | 'rm' | 'exec' | 'pause-unpause'; name: string }
  | { op: 'pull'; fault: 'none' | 'drop' | 'corrupt' | 'status' | 'stall' }
  | { op: 'fault'; fault: 'daemon-kill' | 'actor-host' | 'pool' | 'shim-kill' | 'process-kill'; name?: string; index?: number; midOp?: Op };

export interface StepRecord { step: number; op: Op; result: string }

export interface ChaosReport {
  seed: number;
  steps: StepRecord[];
  faults: number;
  checks: number;
  violations: string[];
}

export interface ChaosEnv {
  d: TestDaemon;
  proxy: FaultProxy;
  /** image reference to pull through the fault proxy */
  pullRef: string;
  /** a user network some containers join, and its bridge device */
  network?: { name: string; bridge: string };
}

const SETTLE_MS = 20_000;

export class ChaosDriver {
  readonly model: Model;
  readonly report: ChaosReport;
  private readonly rng: Prng;
  private counter = 0;

  constructor(private readonly env: ChaosEnv, seed: number) {
    this.rng = new Prng(seed);
    this.model = newModel(env.network?.bridge);
    this.report = { seed, steps: [], faults: 0, checks: 0, violations: [] };
  }

  private liveNames(): string[] {
    return [...this.model.containers.values()].filter((c) => c.removed === 'no').map((c) => c.name);
  }

  /** The next step, drawn from the seed. */
  nextOp(): Op {
    const names = this.liveNames();
    const kind = this.rng.weighted({
      'run-detached': names.length < 6 ? 4 : 1,
      'run-rm': 1,
      stop: names.length ? 1 : 0,
      kill: names.length ? 1 : 0,
      rm: names.length ? 1 : 0,
      exec: names.length ? 2 : 0,
      'pause-unpause': names.length ? 1 : 0,
      pull: 1,
      fault: 3,
    });
    switch (kind) {
      case 'run-detached':
        return {
          op: 'run-detached',
          name: `chaos-${this.rng.seed}-${++this.counter}`,
          restart: this.rng.pick(['no', 'always', 'on-failure:2', 'unless-stopped']),
          exitAfter: this.rng.next() < 0.3 ? 1 + this.rng.int(3) : null,
          exitCode: this.rng.pick([0, 1, 3]),
          ...(this.env.network && this.rng.next() < 0.4 ? { network: this.env.network.name } : {}),
        };
      case 'run-rm':
        return { op: 'run-rm', text: `hello-${this.counter++}` };
      case 'pull':
        return { op: 'pull', fault: this.rng.pick(['none', 'drop', 'corrupt', 'status', 'stall'] as const) };
      case 'fault': {
        const fault = this.rng.pick(['daemon-kill', 'actor-host', 'pool', 'shim-kill', 'process-kill'] as const);
        const op: Op = { op: 'fault', fault };
        if (fault === 'actor-host') op.index = this.rng.int(2);
        if ((fault === 'shim-kill' || fault === 'process-kill') && names.length) op.name = this.rng.pick(names);
        // half of the faults strike in the middle of another operation
        if (this.rng.next() < 0.5 && fault !== 'shim-kill' && fault !== 'process-kill') {
          op.midOp = names.length && this.rng.next() < 0.5 ? { op: 'stop', name: this.rng.pick(names) } : { op: 'run-detached', name: `chaos-${this.rng.seed}-${++this.counter}`, restart: 'no', exitAfter: null, exitCode: 0 };
        }
        return op;
      }
      default:
        return { op: kind, name: this.rng.pick(names) };
    }
  }

  async run(steps: number | Op[], deadline = Infinity): Promise<ChaosReport> {
    const ops = Array.isArray(steps) ? steps : null;
    const count = ops ? ops.length : steps;
    for (let i = 0; i < count && Date.now() < deadline; i++) {
      const op = ops ? ops[i] : this.nextOp();
      const result = await this.apply(op);
      this.report.steps.push({ step: i, op, result });
      if (op.op === 'fault') {
        this.report.faults++;
        await this.check(`after step ${i} (${op.fault}${op.midOp ? ` during ${op.midOp.op}` : ''})`);
        if (this.report.violations.length) break;
      }
    }
    if (!this.report.violations.length) await this.check('at the end');
    return this.report;
  }

  /** Checks the invariants, allowing the engine time to settle after a fault. */
  private async check(when: string): Promise<void> {
    this.report.checks++;
    const until = Date.now() + SETTLE_MS;
    let problems: string[] = [];
    for (;;) {
      problems = [...checkContainers(this.env.d, this.model), ...(await checkStore(this.env.d))];
      if (problems.length === 0 || Date.now() > until) break;
      await sleep(250);
    }
    this.report.violations.push(...problems.map((p) => `${when}: ${p}`));
  }

  private async apply(op: Op): Promise<string> {
    const { d } = this.env;
    switch (op.op) {
      case 'run-detached':
        return this.runDetached(op, d.berth.bind(d));
      case 'run-rm': {
        const r = d.berth(['run', '--rm', 'busybox', 'echo', op.text]);
        if (r.code === 0 && r.stdout !== `${op.text}\n`) this.report.violations.push(`run --rm printed ${JSON.stringify(r.stdout)} instead of ${op.text}`);
        return `exit ${r.code}`;
      }
      case 'stop':
        return this.settle(op.name, d.berth(['stop', '-t', '1', op.name]));
      case 'kill':
        return this.settle(op.name, d.berth(['kill', op.name]));
      case 'exec': {
        const r = d.berth(['exec', op.name, 'echo', 'exec-ok']);
        if (r.code === 0 && r.stdout !== 'exec-ok\n') this.report.violations.push(`exec printed ${JSON.stringify(r.stdout)}`);
        return `exit ${r.code}`;
      }
      case 'pause-unpause': {
        const p = d.berth(['pause', op.name]);
        const u = p.code === 0 ? d.berth(['unpause', op.name]) : p;
        if (p.code === 0 && u.code !== 0) this.report.violations.push(`${op.name}: paused but unpause failed: ${u.stderr.trim()}`);
        return `exit ${p.code}/${u.code}`;
      }
      case 'rm': {
        const c = this.model.containers.get(op.name)!;
        const r = d.berth(['rm', '-f', op.name]);
        c.removed = r.code === 0 ? 'yes' : 'maybe';
        return `exit ${r.code}`;
      }
      case 'pull':
        return this.pull(op.fault);
      case 'fault':
        return this.fault(op);
    }
  }

  private settle(name: string, r: { code: number; stderr: string }): string {
    return r.code === 0 ? 'ok' : `exit ${r.code}: ${r.stderr.trim().slice(0, 120)}`;
  }

  private runDetached(op: Extract<Op, { op: 'run-detached' }>, berth: TestDaemon['berth']): string {
    const logLine = `log-of-${op.name}`;
    const script = op.exitAfter === null ? `echo ${logLine}; exec sleep 600` : `echo ${logLine}; sleep ${op.exitAfter}; exit ${op.exitCode}`;
    // a container that exits and restarts writes its line again: only forever-running ones carry a log check
    const c = { name: op.name, created: 'maybe' as 'yes' | 'maybe', removed: 'no' as const, logLine: undefined as string | undefined, network: op.network !== undefined };
    this.model.containers.set(op.name, c);
    const args = ['run', '-d', '--name', op.name, ...(op.restart !== 'no' ? ['--restart', op.restart] : []), ...(op.network ? ['--network', op.network] : []), 'busybox', 'sh', '-c', script];
    const r = berth(args);
    if (r.code === 0) {
      c.created = 'yes';
      if (op.exitAfter === null && op.restart === 'no') {
        // acknowledged output: once `logs` has shown the line, it must never be lost or doubled
        for (let i = 0; i < 40; i++) {
          if (berth(['logs', op.name]).stdout.includes(logLine)) {
            c.logLine = logLine;
            break;
          }
        }
      }
    }
    return `exit ${r.code}`;
  }

  private async pull(fault: Extract<Op, { op: 'pull' }>['fault']): Promise<string> {
    const { d, proxy, pullRef } = this.env;
    d.berth(['rmi', pullRef]);
    proxy.clearRules();
    if (fault === 'drop') proxy.addRule({ method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'drop', afterBytes: 1000 } });
    if (fault === 'corrupt') proxy.addRule({ method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'corrupt', atByte: 500 } });
    if (fault === 'status') proxy.addRule({ path: /\/v2\//, fault: { kind: 'status', status: 503, retryAfter: 0 }, times: 2 });
    if (fault === 'stall') proxy.addRule({ method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'stall', afterBytes: 1000 } });
    const r = await d.berthAsync(['pull', '-q', pullRef]);
    proxy.clearRules();
    return `exit ${r.code}`;
  }

  private async fault(op: Extract<Op, { op: 'fault' }>): Promise<string> {
    const { d } = this.env;
    const strike = async (): Promise<string> => {
      switch (op.fault) {
        case 'daemon-kill':
          await d.restart();
          return 'daemon killed and restarted';
        case 'actor-host':
          return d.berth(['debug', 'fault', 'actor-host', String(op.index ?? 0)]).stdout.trim();
        case 'pool':
          return d.berth(['debug', 'fault', 'pool']).stdout.trim();
        case 'shim-kill':
        case 'process-kill': {
          if (!op.name) return 'no container';
          const r = d.berth(['inspect', '--format', '{{.State.Pid}} {{.Id}}', op.name]);
          const [pid, id] = r.stdout.trim().split(' ');
          if (op.fault === 'process-kill') {
            if (Number(pid) > 0) process.kill(Number(pid), 'SIGKILL');
            return `process ${pid} killed`;
          }
          const shim = shimPid(d.dir, id);
          if (shim) process.kill(shim, 'SIGKILL');
          return `shim ${shim} killed`;
        }
      }
    };
    if (!op.midOp) return strike();
    const mid = op.midOp;
    const pending = mid.op === 'run-detached'
      ? d.berthAsync(['run', '-d', '--name', mid.name, 'busybox', 'sleep', '600'])
      : d.berthAsync(['stop', '-t', '1', (mid as { name: string }).name]);
    if (mid.op === 'run-detached') this.model.containers.set(mid.name, { name: mid.name, created: 'maybe', removed: 'no' });
    await sleep(50 + this.rng.int(300));
    const struck = await strike();
    const r = await pending;
    if (mid.op === 'run-detached' && r.code === 0) this.model.containers.get(mid.name)!.created = 'yes';
    return `${struck}; ${mid.op} exit ${r.code}`;
  }
}
