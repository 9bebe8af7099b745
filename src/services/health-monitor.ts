// Runs each running container's health check: one health machine per
// container run, started when the container runs (or found running after a
// daemon restart, keeping the Health state it had), stopped when it stops.
// Probes run in the container through the exec path; results go to the
// container's actor (HEALTH), which journals them: State.Health, `ps` and
// `health_status` events all read from there.
import { createActor, fromPromise, type Actor } from 'xstate';
import { containerActorId } from '../actors/container-actor.js';
import { dockerState, type ContainerContext } from '../machines/container.js';
import { healthMachine, type HealthState, type ProbeResult } from '../machines/health.js';
import { execInContainer, type ExecTarget } from './container-exec.js';
import type { CallContext } from '../daemon/call-context.js';
import type { MetadataDb } from '../store/db.js';
import type { ActorRouter } from '../workers/router.js';

const OUTPUT_CAP = 64 * 1024;
/** A record read behind the note that announced it is read again this much later, this many times at most. */
const REREAD_MS = 25;
const REREADS = 40;

interface Running { startedAt: string; actor: Actor<typeof healthMachine> }

export class HealthMonitor {
  private readonly checks = new Map<string, Running>();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly db: MetadataDb,
    private readonly router: ActorRouter,
    private readonly paths: Omit<ExecTarget, 'ctx'>,
  ) {}

  /** Picks up containers already running (live restore), then follows state changes. */
  start(): void {
    for (const { key } of this.db.actors.getRange({ start: 'container/', end: 'container0' })) this.sync(String(key));
    this.unsubscribe = this.router.onState((note) => {
      if (note.kind === 'container') this.sync(note.actorId, note.seq);
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const id of [...this.checks.keys()]) this.end(id);
  }

  /** Starts or ends the check after a state change; `seq`: the journal entry the note announced, which the record must have reached. */
  private sync(actorId: string, seq?: number, rereads = 0): void {
    if (this.stopped) return; // a re-read still scheduled when the daemon stopped
    const rec = this.db.actors.get(actorId);
    if (rec && seq !== undefined && rec.seq < seq) {
      // The record is older than the entry the note was sent for. The router renews this thread's read
      // snapshot before it dispatches a note, but a check whose start is missed here is never started
      // (no later note need come): read again shortly rather than decide on a stale state.
      if (rereads < REREADS) setTimeout(() => this.sync(actorId, seq, rereads + 1), REREAD_MS).unref();
      else process.stderr.write(`berthd: health checks: the record of ${actorId} stayed behind journal entry ${seq}\n`);
      return;
    }
    const snap = rec?.snapshot as { value: unknown; context: ContainerContext; status?: string } | undefined;
    const ctx = snap?.context;
    const running = ctx && snap.status !== 'done' && dockerState(snap.value) === 'running' && ctx.spec.health && ctx.startedAt;
    const current = this.checks.get(actorId);
    if (!running) {
      if (current) this.end(actorId);
      return;
    }
    if (current?.startedAt === ctx.startedAt) return;
    if (current) this.end(actorId);
    this.begin(actorId, ctx);
  }

  private begin(actorId: string, ctx: ContainerContext): void {
    const config = ctx.spec.health!;
    const startedAt = ctx.startedAt!;
    const machine = healthMachine.provide({
      actors: { probe: fromPromise<ProbeResult, { command: string[]; timeoutMs: number }>(({ input, signal }) => this.probe(ctx, input.command, signal)) },
      actions: {
        reportHealth: (_, params: { health: HealthState; changed: boolean }) => {
          void this.router.ask(containerActorId(ctx.id), { type: 'HEALTH', health: params.health, changed: params.changed }).catch(() => {});
        },
      },
    });
    const actor = createActor(machine, {
      input: { config, previous: ctx.health ?? undefined, elapsedMs: Math.max(0, Date.now() - Date.parse(startedAt)), now: Date.now },
    });
    this.checks.set(actorId, { startedAt, actor });
    actor.start();
  }

  private end(actorId: string): void {
    this.checks.get(actorId)?.actor.stop();
    this.checks.delete(actorId);
  }

  /** One probe: the command's exit code and its output (stdout and stderr together). */
  private async probe(ctx: ContainerContext, command: string[], signal: AbortSignal): Promise<ProbeResult> {
    const abort = new AbortController();
    // The machine stops a probe past its timeout (or when the check ends): SIGKILL it, as Docker does.
    const onAbort = () => abort.abort('kill');
    signal.addEventListener('abort', onAbort, { once: true });
    let output = '';
    const decoder = new TextDecoder();
    const call: CallContext = {
      emit: (ev) => {
        if (ev.kind === 'output' && output.length < OUTPUT_CAP) output += decoder.decode(ev.data, { stream: true });
      },
      drained: async () => {},
      upload: async function* () {},
      signal: abort.signal,
    };
    try {
      const r = await execInContainer({ ctx, ...this.paths }, { id: ctx.id, cmd: command }, call);
      return { exitCode: r.exitCode ?? -1, output };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
