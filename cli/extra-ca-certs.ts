// NODE_EXTRA_CA_CERTS makes Node parse every certificate of that file (and
// build its whole root store) while it starts, before any JavaScript runs:
// ~40 ms of CPU per start with the system bundle, more than the rest of a
// `berth run -d`. The CLI never speaks TLS (it talks to berthd on a unix
// socket), so the `berth` executable starts Node without the variable and
// hands its value over in BERTH_NODE_EXTRA_CA_CERTS (the shell lines in front
// of dist/cli/berth.cjs, SHELL_PREAMBLE in scripts/bundle-cli.mjs). Put back at once, it is
// seen unchanged by everything the command does (`run -e NODE_EXTRA_CA_CERTS`,
// child processes).

export const HANDED_OVER = 'BERTH_NODE_EXTRA_CA_CERTS';

/** Restores NODE_EXTRA_CA_CERTS from the hand-over variable, which is removed. */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const value = env[HANDED_OVER];
  if (value === undefined) return;
  delete env[HANDED_OVER];
  env.NODE_EXTRA_CA_CERTS = value;
}

