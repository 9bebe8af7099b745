// run/create's resource and security flags (Docker's names), parsed by
// cli/commands/container/resource-flags.ts.
import type { Command } from 'commander';
import { collect, verb, type Define } from './grammar.js';

export function withResourceFlags(cmd: Command): Command {
  return cmd
    .option('-m, --memory <BYTES>', 'Memory limit (e.g. 512m, 1g; at least 6m)')
    .option('--memory-swap <BYTES>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--memory-reservation <BYTES>', 'Memory soft limit')
    .option('--cpus <DECIMAL>', 'Number of CPUs (e.g. 1.5)')
    .option('-c, --cpu-shares <INT>', 'CPU shares (relative weight)')
    .option('--cpu-period <INT>', 'Limit CPU CFS (Completely Fair Scheduler) period')
    .option('--cpu-quota <INT>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
    .option('--cpuset-cpus <LIST>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <LIST>', 'Memory nodes (MEMs) in which to allow execution (0-3, 0,1)')
    .option('--pids-limit <INT>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--ulimit <NAME=SOFT[:HARD]>', 'Ulimit options (repeatable)', collect)
    .option('--oom-score-adj <INT>', "Tune host's OOM preferences (-1000 to 1000)")
    .option('--cap-add <CAP>', 'Add Linux capabilities (repeatable; ALL for all)', collect)
    .option('--cap-drop <CAP>', 'Drop Linux capabilities (repeatable; ALL for all)', collect)
    .option('--privileged', 'Give extended privileges to this container')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--tmpfs <PATH[:OPTIONS]>', 'Mount a tmpfs directory (repeatable)', collect)
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('--device <HOST[:CONTAINER][:PERMS]>', 'Add a host device to the container (repeatable; PERMS a combination of r, w, m)', collect)
    .option('--security-opt <OPT>', 'Security options: no-new-privileges[=true|false], seccomp=unconfined|PROFILE.json, apparmor=unconfined, label=disable, systempaths=unconfined (repeatable)', collect)
    .option('--pid <MODE>', "PID namespace to use: host, or container:NAME")
    .option('--ipc <MODE>', 'IPC mode to use: private, shareable, host, none, or container:NAME')
    .option('--uts <MODE>', 'UTS namespace to use: host')
    .option('--cgroupns <MODE>', 'Cgroup namespace to use: private (the default) or host')
    .option('--shm-size <BYTES>', 'Size of /dev/shm (default 64m)')
    .option('--sysctl <NAME=VALUE>', 'Sysctl options: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* (repeatable)', collect)
    .option('--group-add <GROUP>', 'Add additional groups to join (repeatable)', collect);
}

/** berth update [OPTIONS] CONTAINER...: Docker's subset that Berth can change on a live container. */
export const defineUpdate: Define = (parent, name, dispatch) =>
  verb(parent, name, 'update', dispatch, 'Update configuration of one or more containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-m, --memory <BYTES>', 'Memory limit')
    .option('--memory-swap <BYTES>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--cpus <DECIMAL>', 'Number of CPUs')
    .option('-c, --cpu-shares <INT>', 'CPU shares (relative weight)')
    .option('--pids-limit <INT>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--restart <POLICY>', 'Restart policy to apply when a container exits');
