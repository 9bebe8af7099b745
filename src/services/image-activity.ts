// Coordination between image garbage collection and the work that adds or
// reads content (pulls, loads, imports, saves, exports). Such work holds the
// activity while it runs; GC runs only when nothing holds it, and new work
// waits for a running GC to finish. Single daemon process, main thread.

export type Release = () => void;

export class ImageActivity {
  private holders = 0;
  private gcRunning: Promise<void> | null = null;
  private idleListeners: Array<() => void> = [];

  get busy(): boolean {
    return this.holders > 0;
  }

  /** Waits for a running GC, then holds the activity until the returned function is called. */
  async hold(): Promise<Release> {
    while (this.gcRunning) await this.gcRunning;
    this.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders--;
      if (this.holders === 0) for (const l of this.idleListeners.splice(0)) l();
    };
  }

  /** Runs `fn` with holders excluded; returns undefined (without running) while anything holds the activity. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T | undefined> {
    while (this.gcRunning) await this.gcRunning;
    if (this.holders > 0) return undefined;
    let done!: () => void;
    this.gcRunning = new Promise<void>((r) => (done = r));
    try {
      return await fn();
    } finally {
      this.gcRunning = null;
      done();
    }
  }

  /** Calls `listener` once the last holder releases. */
  onIdle(listener: () => void): void {
    this.idleListeners.push(listener);
  }
}

/** Runs `work` while holding `activity`. */
export async function withActivity<T>(activity: ImageActivity, work: () => Promise<T>): Promise<T> {
  const release = await activity.hold();
  try {
    return await work();
  } finally {
    release();
  }
}
