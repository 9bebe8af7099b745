// `import --change`: the Dockerfile instructions that only set image config
// (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, VOLUME, STOPSIGNAL),
// in JSON (exec) form or shell form.
import { BerthError } from '../errors.js';
import type { ImageRuntimeConfig } from '../image/manifest-types.js';

function bad(line: string, why: string): BerthError {
  return new BerthError('invalid_argument', `invalid --change "${line}": ${why}`);
}

function execOrShell(line: string, rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    } catch {
      /* fall through to the shell form, as Docker does */
    }
    if (t.endsWith(']')) throw bad(line, 'the JSON form must be an array of strings, e.g. CMD ["sh", "-c", "echo hi"]');
  }
  if (t === '') throw bad(line, 'a command is required');
  return ['/bin/sh', '-c', t];
}

/** KEY=VALUE pairs (quotes removed), or the legacy "KEY VALUE" form. */
function pairs(line: string, rest: string): Array<[string, string]> {
  const t = rest.trim();
  if (!t.includes('=')) {
    const sp = t.search(/\s/);
    if (sp < 0) throw bad(line, 'expected KEY=VALUE');
    return [[t.slice(0, sp), t.slice(sp).trim()]];
  }
  const out: Array<[string, string]> = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    let v = m[2];
    if (v.startsWith('"')) v = JSON.parse(v) as string;
    else if (v.startsWith("'")) v = v.slice(1, -1);
    out.push([m[1], v]);
  }
  if (out.length === 0) throw bad(line, 'expected KEY=VALUE');
  return out;
}

export function applyChanges(config: ImageRuntimeConfig, changes: string[]): ImageRuntimeConfig {
  const c: ImageRuntimeConfig = { ...config };
  for (const line of changes) {
    const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(line);
    if (!m) throw bad(line, 'expected an instruction such as CMD, ENV or WORKDIR');
    const [, word, rest] = m;
    switch (word.toUpperCase()) {
      case 'CMD': c.Cmd = execOrShell(line, rest); break;
      case 'ENTRYPOINT': c.Entrypoint = execOrShell(line, rest); break;
      case 'WORKDIR':
        if (!rest.trim()) throw bad(line, 'a directory is required');
        c.WorkingDir = rest.trim();
        break;
      case 'USER':
        if (!rest.trim()) throw bad(line, 'a user is required');
        c.User = rest.trim();
        break;
      case 'STOPSIGNAL': c.StopSignal = rest.trim(); break;
      case 'ENV': {
        const env = [...(c.Env ?? [])];
        for (const [k, v] of pairs(line, rest)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case 'LABEL': c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(pairs(line, rest)) }; break;
      case 'EXPOSE': {
        const ports = { ...(c.ExposedPorts ?? {}) };
        for (const p of rest.trim().split(/\s+/).filter(Boolean)) ports[p.includes('/') ? p : `${p}/tcp`] = {};
        c.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const vols = { ...(c.Volumes ?? {}) };
        const t = rest.trim();
        const list = t.startsWith('[') ? (JSON.parse(t) as string[]) : t.split(/\s+/).filter(Boolean);
        for (const v of list) vols[v] = {};
        c.Volumes = vols;
        break;
      }
      default:
        throw bad(line, `${word} cannot be applied on import; use CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, VOLUME or STOPSIGNAL`);
    }
  }
  return c;
}
