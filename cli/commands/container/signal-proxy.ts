// Docker's --sig-proxy for an attached run without a TTY: the signals this
// CLI receives go to the container's process (container.kill with the same
// signal), each one, for as long as the session lasts. Until the container
// exists (an implicit pull) the first signal cancels the call instead.
import type { BerthClient } from '../../client.js';

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export interface SignalProxy {
  /** the call's cancel signal (aborted by a signal that arrives before the container exists) */
  signal: AbortSignal;
  /** the container is known: forward from now on */
  target(id: string): void;
  stop(): void;
}

export function proxySignals(client: BerthClient): SignalProxy {
  const controller = new AbortController();
  let id: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (id === undefined) {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
      return;
    }
    // Best effort, like Docker: the container may have exited meanwhile.
    client.call('container.kill', { id, signal }).catch(() => {});
  };
  for (const s of PROXIED) process.on(s, onSignal);
  return {
    signal: controller.signal,
    target: (known) => { id = known; },
    stop: () => { for (const s of PROXIED) process.off(s, onSignal); },
  };
}
