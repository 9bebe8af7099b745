// Ctrl-C while a call runs: the first asks the daemon to cancel it (the call
// then ends with the daemon's answer); a second one gives up at once.

const EXIT_INTERRUPTED = 130;

export function cancelOnInterrupt(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`berth: interrupted again (${signal}); exiting without waiting for the daemon\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
