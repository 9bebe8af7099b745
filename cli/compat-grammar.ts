// run/create flags Docker has that Berth accepts only in their default form
// (or not at all): parsed so the user gets a clear answer, never a silent
// ignore. Checked by cli/commands/container/compat-flags.ts.
import type { Command } from 'commander';
import { collect } from './grammar.js';

export function withCompatFlags(cmd: Command): Command {
  return cmd
    .option('--disable-content-trust', 'Skip image verification (always: Berth does not verify content trust)')
    .option('--isolation <MODE>', 'Container isolation technology (only "default" on Linux)')
    .option('--userns <MODE>', 'User namespace to use (only "host": Berth has no userns-remap)')
    .option('--runtime <RUNTIME>', "Runtime to use for this container (only the daemon's own)")
    .option('--gpus <GPU-REQUEST>', 'GPU devices to add to the container (not supported by Berth)')
    .option('--storage-opt <OPT>', 'Storage driver options for the container (not supported by Berth)', collect)
    .option('--link <NAME[:ALIAS]>', 'Add link to another container (legacy; not supported by Berth: use a user network)', collect)
    .option('--link-local-ip <IP>', 'Container IPv4/IPv6 link-local addresses (not supported by Berth)', collect)
    .option('--ip6 <ADDRESS>', 'IPv6 address (not supported by Berth)')
    .option('--mac-address <MAC>', 'Container MAC address (not supported by Berth)')
    .option('--kernel-memory <BYTES>', 'Kernel memory limit (not supported by Berth)')
    .option('--volume-driver <DRIVER>', 'Optional volume driver for the container (only "local")')
    .option('--cpu-rt-period <INT>', 'Limit CPU real-time period in microseconds (not supported by Berth)')
    .option('--cpu-rt-runtime <INT>', 'Limit CPU real-time runtime in microseconds (not supported by Berth)');
}
