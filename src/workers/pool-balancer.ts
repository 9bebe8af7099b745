// How the piscina pool places tasks. Piscina's default gives a task to the
// least busy ready thread and starts another thread only when every thread
// is full, so with several tasks per thread the layers of one pull all
// unpacked on the first thread while the others sat idle. This balancer
// prefers an idle thread, then asks for a new one while the pool is below
// its maximum (the task waits for it), and only then shares a busy thread.
// The pool still shrinks back to its minimum when idle (memory).

/** The parts of piscina's task and worker views the balancer reads. */
interface TaskView { isAbortable: boolean }
interface WorkerView { currentUsage: number; isRunningAbortableTask: boolean }

export function spreadingBalancer(maxThreads: number, tasksPerThread: number): (task: TaskView, ready: WorkerView[]) => WorkerView | null {
  return (task, ready) => {
    const idle = ready.find((w) => w.currentUsage === 0);
    if (idle) return idle;
    if (ready.length < maxThreads) return null; // piscina starts a thread and hands it the task once it is up
    let best: WorkerView | null = null;
    for (const w of ready) {
      if (w.isRunningAbortableTask || task.isAbortable) continue;
      if (w.currentUsage < tasksPerThread && (!best || w.currentUsage < best.currentUsage)) best = w;
    }
    return best;
  };
}
