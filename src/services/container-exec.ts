// `exec`: a new process in a running container, through its own shim
// (`berth-shim exec`), which runs `runtime exec` and serves the same attach
// protocol as a container's shim. Output streams to the caller; the caller's
// upload is the process's stdin; the result is its exit code.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { AttachClient } from '../runtime/attach-client.js';
import { buildExecProcess } from '../runtime/oci-spec.js';
import { mergeEnv } from '../runtime/container-config.js';
import { resolveUser } from '../runtime/user-lookup.js';
import { runtimeError } from '../runtime/runtime-errors.js';
import { SpawnError, spawnCollect } from '../runtime/spawn-collect.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { CallContext } from '../daemon/call-context.js';
import type { ExecParams, ExecResult } from '../protocol/container-methods.js';
import type { ContainerContext } from '../machines/container.js';

export interface ExecTarget {
  ctx: ContainerContext;
  shimPath: string;
  runtimePath: string;
  runtimeRoot: string;
  execRoot: string;
}

/** Starts `berth-shim exec` (posix_spawn: no fork of the daemon); resolves once the process runs. */
async function startShim(args: string[], shimPath: string): Promise<void> {
  let done;
  try {
    done = await spawnCollect(shimPath, args);
  } catch (e) {
    throw new BerthError('runtime_error', `cannot start the exec shim: ${e instanceof SpawnError ? e.message : String(e)}`);
  }
  let reply: { ok?: boolean; error?: string } | undefined;
  try {
    reply = JSON.parse(done.stdout.trim().split('\n').pop() ?? '') as typeof reply;
  } catch {
    reply = undefined;
  }
  if (reply?.ok) return;
  if (reply) throw runtimeError(reply.error ?? 'exec failed');
  const err = done.stderr.trim();
  throw new BerthError('runtime_error', `the exec shim exited with code ${done.code}${err ? `: ${err}` : ''}`);
}

/** Where an exec's shim keeps its state and attach socket. */
function execStateDir(execRoot: string, execId: string): string {
  return join(execRoot, 'execs', execId.slice(0, 16));
}

/** The file in an exec's state directory naming the container it runs in. */
const OWNER_FILE = 'container';

/** Sizes the terminal of a running exec of `containerId` (its own pty, not the container's). */
export async function resizeExec(execRoot: string, containerId: string, execId: string, rows: number, cols: number): Promise<void> {
  if (!/^[0-9a-f]{32}$/.test(execId)) throw new BerthError('invalid_argument', `invalid exec id "${execId}": expected 32 hexadecimal characters`);
  const dir = execStateDir(execRoot, execId);
  const owner = await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => null);
  if (owner !== null && owner !== containerId) {
    throw new BerthError('not_found', `no such exec: ${execId} in container ${containerId.slice(0, 12)} (it belongs to another container)`);
  }
  let attach: AttachClient;
  try {
    if (owner === null) throw new Error('no state');
    attach = await AttachClient.open(join(dir, 'attach.sock'));
  } catch {
    throw new BerthError('not_found', `no such exec: ${execId} (it has ended, or never ran)`);
  }
  try {
    await attach.resize(rows, cols);
  } finally {
    attach.close();
  }
}

export async function execInContainer(t: ExecTarget, p: ExecParams, call: CallContext): Promise<ExecResult> {
  if (!Array.isArray(p.cmd) || p.cmd.length === 0) throw new BerthError('invalid_argument', 'no command given: berth exec CONTAINER COMMAND [ARG...]');
  const ctx = t.ctx;
  const execId = randomBytes(16).toString('hex');
  const stateDir = execStateDir(t.execRoot, execId);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const processFile = join(stateDir, 'process.json');
  const cwd = p.workdir || ctx.spec.cwd;
  if (!cwd.startsWith('/')) throw new BerthError('invalid_argument', `the working directory "${cwd}" is invalid: it needs to be an absolute path`);
  const proc = buildExecProcess({
    args: p.cmd,
    env: mergeEnv(ctx.spec.env, p.env ?? [], ctx.spec.hostname),
    cwd,
    user: p.user ? resolveUser(p.user, ctx.spec.lowerDirs) : ctx.spec.user,
    tty: p.tty === true,
    host: ctx.spec.host,
    privileged: p.privileged === true,
  });
  await writeFileAtomic(processFile, JSON.stringify(proc));
  await writeFile(join(stateDir, OWNER_FILE), ctx.id); // read only by a resize while the exec runs
  const args = ['exec', '--id', ctx.id, '--exec-id', execId, '--state-dir', stateDir, '--runtime', t.runtimePath, '--runtime-root', t.runtimeRoot, '--process', processFile];
  if (p.interactive) args.push('--stdin');
  if (p.tty) args.push('--terminal');
  try {
    await startShim(args, t.shimPath);
    call.emit({ kind: 'container-id', id: execId });
    if (p.detach) return { execId };
    const attach = await AttachClient.open(join(stateDir, 'attach.sock'));
    attach.onOutput = (stream, data) => call.emit({ kind: 'output', stream, data });
    // A client's cancel interrupts the process (SIGINT); an internal caller may ask for SIGKILL ('kill').
    const onCancel = () => {
      const signal = call.signal.reason === 'cancel' ? 2 : call.signal.reason === 'kill' ? 9 : 0;
      if (signal) void attach.kill(signal).catch(() => {});
    };
    // Cancelled while the process was being started: signal it now.
    if (call.signal.aborted) onCancel();
    else call.signal.addEventListener('abort', onCancel, { once: true });
    if (p.interactive) {
      void (async () => {
        try {
          for await (const chunk of call.upload()) await attach.writeStdin(chunk);
          await attach.closeStdin();
        } catch {
          /* the process ended or the client left */
        }
      })();
    }
    try {
      // A stdin write racing the exit (EPIPE) can drop the socket before the EXIT frame
      // is read; the shim wrote exit.json before sending it, so the code is still known.
      const rec = await attach.exited().catch(async (err: unknown) => {
        const saved = await readFile(join(stateDir, 'exit.json'), 'utf8').catch(() => null);
        if (saved === null) throw err;
        return JSON.parse(saved) as { exitCode: number };
      });
      await attach.closed();
      return { execId, exitCode: rec.exitCode };
    } finally {
      call.signal.removeEventListener('abort', onCancel);
      attach.close();
    }
  } finally {
    if (!p.detach) await rm(stateDir, { recursive: true, force: true });
  }
}
