// `berth network …`: Docker's network management commands.
import type { Command } from 'commander';
import type { Dispatch } from './invocation.js';
import { collect, group, verb } from './grammar.js';

export function definePort(parent: Command, dispatch: Dispatch): void {
  verb(parent, 'port', 'port', dispatch, 'List port mappings or a specific mapping for the container')
    .argument('<CONTAINER>', 'container name or id')
    .argument('[PRIVATE_PORT[/PROTO]]', 'only this container port');
}

export function defineNetworkCommands(program: Command, dispatch: Dispatch): void {
  const network = group(program, 'network', 'Manage networks');
  verb(network, 'create', 'network-create', dispatch, 'Create a network')
    .argument('<NETWORK>', 'network name')
    .option('-d, --driver <DRIVER>', 'Driver to manage the network (bridge)')
    .option('--subnet <CIDR>', 'Subnet in CIDR format, e.g. 10.20.0.0/24')
    .option('--gateway <IP>', 'IPv4 gateway for the subnet')
    .option('--internal', 'Restrict external access to the network')
    .option('--label <KEY=VALUE>', 'Set metadata on a network (repeatable)', collect);
  verb(network, 'ls', 'network-ls', dispatch, 'List networks')
    .alias('list')
    .option('-q, --quiet', 'Only display network IDs')
    .option('--format <FORMAT>', "Format output using a Go template ('json' for one line per network)");
  verb(network, 'inspect', 'network-inspect', dispatch, 'Display detailed information on one or more networks')
    .argument('<NETWORK...>', 'network names or ids')
    .option('-f, --format <FORMAT>', 'Format output using a Go template');
  verb(network, 'rm', 'network-rm', dispatch, 'Remove one or more networks')
    .alias('remove')
    .argument('<NETWORK...>', 'network names or ids');
  verb(network, 'connect', 'network-connect', dispatch, 'Connect a container to a network')
    .argument('<NETWORK>', 'network name or id')
    .argument('<CONTAINER>', 'container name or id')
    .option('--alias <ALIAS>', 'Add a network-scoped alias for the container (repeatable)', collect)
    .option('--ip <ADDRESS>', 'IPv4 address (the network needs a user-configured subnet)');
  verb(network, 'disconnect', 'network-disconnect', dispatch, 'Disconnect a container from a network')
    .argument('<NETWORK>', 'network name or id')
    .argument('<CONTAINER>', 'container name or id');
  verb(network, 'prune', 'network-prune', dispatch, 'Remove all unused networks')
    .option('-f, --force', 'Do not prompt for confirmation');
}
