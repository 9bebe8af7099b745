// Berth as a CNI runtime: runs one CNI plugin binary (CNI 1.0) with the
// CNI_* environment and its network configuration on stdin, and returns its
// result, or a BerthError carrying the plugin's own error message.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BerthError } from '../errors.js';

export const CNI_VERSION = '1.0.0';
export const DEFAULT_CNI_PATH = '/usr/lib/cni';

export type CniCommand = 'ADD' | 'CHECK' | 'DEL';

export interface CniRuntimeConf {
  containerId: string;
  /** path of the network namespace file */
  netns: string;
  ifName: string;
  cniPath?: string;
}

export type CniResult = Record<string, unknown>;

/** Runs `plugin.type` for one plugin of a conflist; DEL and CHECK return null. */
export function execPlugin(
  cmd: CniCommand,
  netName: string,
  plugin: Record<string, unknown>,
  rt: CniRuntimeConf,
  extra: { prevResult?: CniResult; runtimeConfig?: Record<string, unknown> } = {},
): Promise<CniResult | null> {
  const type = String(plugin.type);
  const cniPath = rt.cniPath ?? DEFAULT_CNI_PATH;
  const conf = {
    ...plugin,
    cniVersion: CNI_VERSION,
    name: netName,
    ...(extra.prevResult ? { prevResult: extra.prevResult } : {}),
    ...(extra.runtimeConfig ? { runtimeConfig: extra.runtimeConfig } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(join(cniPath, type), [], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        CNI_COMMAND: cmd,
        CNI_CONTAINERID: rt.containerId,
        CNI_NETNS: rt.netns,
        CNI_IFNAME: rt.ifName,
        CNI_PATH: cniPath,
      },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdin.on('error', () => {}); // a plugin that exits early
    child.on('error', (e) =>
      reject(new BerthError('runtime_error', `cannot run the CNI plugin ${type} from ${cniPath}: ${e.message}; install containernetworking-plugins`)),
    );
    child.on('close', (code) => {
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = out.trim() ? (JSON.parse(out) as Record<string, unknown>) : null;
      } catch {
        parsed = null;
      }
      if (code === 0) return resolve(cmd === 'ADD' ? parsed ?? {} : null);
      const msg = parsed && typeof parsed.msg === 'string' ? `${parsed.msg}${parsed.details ? `: ${String(parsed.details)}` : ''}` : (err || out).trim();
      reject(new BerthError('runtime_error', `CNI plugin ${type} ${cmd} failed for network ${netName}: ${msg || `exit code ${code}`}`));
    });
    child.stdin.end(JSON.stringify(conf));
  });
}
