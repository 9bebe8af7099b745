// run/create flags the CLI acts on itself (Docker's names): the container
// ID file, label files, the image pull policy and platform, and for run the
// streams to attach and the signal proxy.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { collect } from './grammar.js';

const PULL_POLICIES = ['always', 'missing', 'never'];

function pullPolicy(v: string): string {
  if (!PULL_POLICIES.includes(v)) throw new InvalidArgumentError(`must be one of "always", "missing" or "never".`);
  return v;
}

/** Flags run and create share. */
export function withClientFlags(cmd: Command): Command {
  return cmd
    .option('--cidfile <FILE>', 'Write the container ID to the file (refused when the file exists)')
    .option('--label-file <FILE>', 'Read in a line delimited file of labels (repeatable)', collect)
    .option('-q, --quiet', 'Suppress the pull output')
    .option('--pull <POLICY>', 'Pull image before running ("always", "missing", "never")', pullPolicy)
    .option('--platform <OS/ARCH>', 'Set platform if server is multi-platform capable (e.g. linux/amd64)');
}

/** Flags only run has. */
export function withRunAttachFlags(cmd: Command): Command {
  return cmd
    .option('-a, --attach <STREAM>', 'Attach to STDIN, STDOUT or STDERR (repeatable)', collect)
    .option('--sig-proxy', 'Proxy received signals to the process (default true; --sig-proxy=false to turn off)')
    .addOption(new Option('--no-sig-proxy').hideHelp());
}
