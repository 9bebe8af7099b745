// berthd's command line. Parsed by hand: the daemon takes few flags and
// should start fast.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { BerthError } from '../errors.js';
import { checkBridgeConfig, parseAddressPool, parseBip, type BridgeConfig } from '../network/bridge-config.js';

export interface DaemonOptions {
  root: string;
  execRoot: string;
  socket: string;
  runtime: string;
  shim: string;
  actorHosts: number;
  poolThreads: number;
  /** where the Docker Engine API listens ('' = EXEC_ROOT/docker.sock, null = off) */
  dockerSocket: string | null;
  /** --enable-fault-injection: the debug.fault method exists (chaos tests) */
  faultInjection: boolean;
  socketGroup: string | null;
  /** daemon.json path; configFileExplicit: given with --config-file (then it must exist) */
  configFile: string;
  configFileExplicit: boolean;
  /** the state visualizer's address; null: disabled (--ui-addr 0) */
  ui: { host: string; port: number } | null;
  /** --bridge none, --bip, --default-address-pool */
  bridge: BridgeConfig;
}

/** The package's root directory, from dist/src/daemon or src/daemon alike. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (dir.endsWith('/src/daemon')) return resolve(dir, dir.includes('/dist/') ? '../../..' : '../..');
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..');
}

export const USAGE = `Usage: berthd [OPTIONS]

The Berth daemon. Runs in the foreground.

Options:
  --root DIR          persistent state (default /var/lib/berth)
  --exec-root DIR     per-boot state (default /run/berth)
  --socket PATH       control socket (default /run/berth/berth.sock)
  --runtime PATH      OCI runtime: berth-runtime (default), runc or crun
  --group NAME        group that may use the socket (default: root only)
  --actor-hosts N     actor-host worker threads (default 2)
  --pool-threads N    piscina threads for digests and unpacking (default: cores)
  --config-file PATH  daemon.json with registry-mirrors, insecure-registries,
                      max-concurrent-downloads, in-memory-blob-max
                      (default /etc/berth/daemon.json)
  --docker-socket PATH
                      serve the Docker Engine API there (default EXEC_ROOT/docker.sock;
                      'none' turns it off)
  --enable-fault-injection
                      accept debug.fault calls that crash an actor host or
                      the worker pool (chaos tests only; never in production)
  --ui-addr ADDR      state visualizer's HOST:PORT (default 127.0.0.1:2380;
                      port 0 picks a free one; "0" or "none" disables it)
  --bridge none       no default bridge network: containers without --network
                      get --network none (default: the "bridge" network)
  --bip CIDR          the default bridge's address and subnet, e.g. 172.17.0.1/16
                      (default: the first free subnet of the address pools)
  --default-address-pool base=CIDR,size=N
                      where new networks' subnets come from (repeatable;
                      default: Docker's, 172.17-31.0.0/16 and 192.168.0.0/16 in /20s)
  -h, --help          print this help
`;

/** HOST:PORT for the visualizer; "0"/"none" disables it. */
export function parseUiAddr(v: string): { host: string; port: number } | null {
  if (v === '0' || v === 'none') return null;
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:]+)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new BerthError('invalid_argument', `flag --ui-addr takes HOST:PORT (e.g. 127.0.0.1:2380), or 0 to disable, not "${v}"`);
  return { host: m[1] ?? m[2], port };
}

export function parseDaemonArgs(argv: string[]): DaemonOptions | 'help' {
  const pkg = packageRoot();
  const opts: DaemonOptions = {
    root: '/var/lib/berth',
    execRoot: '/run/berth',
    socket: '',
    runtime: join(pkg, 'native/build/berth-runtime'),
    shim: join(pkg, 'native/build/berth-shim'),
    actorHosts: 2,
    poolThreads: 0,
    socketGroup: null,
    configFile: '/etc/berth/daemon.json',
    configFileExplicit: false,
    faultInjection: false,
    dockerSocket: '',
    ui: { host: '127.0.0.1', port: 2380 },
    bridge: { enabled: true, pools: [] },
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new BerthError('invalid_argument', `flag ${flag} needs a value; see berthd --help`);
      return v;
    };
    const count = (): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64) throw new BerthError('invalid_argument', `flag ${flag} takes a whole number from 1 to 64, not "${v}"`);
      return n;
    };
    switch (flag) {
      case '--root': opts.root = resolve(value()); break;
      case '--exec-root': opts.execRoot = resolve(value()); break;
      case '--socket': opts.socket = resolve(value()); break;
      case '--runtime': opts.runtime = value(); break;
      case '--group': opts.socketGroup = value(); break;
      case '--actor-hosts': opts.actorHosts = count(); break;
      case '--pool-threads': opts.poolThreads = count(); break;
      case '--config-file': opts.configFile = resolve(value()); opts.configFileExplicit = true; break;
      case '--docker-socket': { const v = value(); opts.dockerSocket = v === 'none' ? null : resolve(v); break; }
      case '--enable-fault-injection': opts.faultInjection = true; break;
      case '--ui-addr': opts.ui = parseUiAddr(value()); break;
      case '--bridge': case '-b': {
        const v = value();
        if (v !== 'none') throw new BerthError('invalid_argument', `flag --bridge takes only "none" (no default bridge network), not "${v}"; the default network's bridge device is made by berthd`);
        opts.bridge.enabled = false;
        break;
      }
      case '--bip': opts.bridge.bip = parseBip(value()); break;
      case '--default-address-pool': opts.bridge.pools.push(parseAddressPool(value())); break;
      case '-h':
      case '--help':
        return 'help';
      default:
        throw new BerthError('invalid_argument', `unknown flag ${arg}; see berthd --help`);
    }
  }
  checkBridgeConfig(opts.bridge);
  if (!opts.socket) opts.socket = join(opts.execRoot, 'berth.sock');
  if (opts.dockerSocket === '') opts.dockerSocket = join(opts.execRoot, 'docker.sock');
  return opts;
}
