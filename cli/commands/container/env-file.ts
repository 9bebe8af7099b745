// --env-file FILE in Docker's format: one VAR=value per line, value taken
// literally (no quotes removed); blank lines and lines starting with # are
// skipped; a line with VAR alone copies VAR from this shell (and is dropped
// when VAR is unset there).
import { readFileSync } from 'node:fs';
import { BerthError } from '../../../src/errors.js';

const LEADING_SPACE = /^[ \t\n\v\f\r]+/;

export function parseEnvFile(text: string, file: string, cliEnv: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(LEADING_SPACE, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = (eq >= 0 ? line.slice(0, eq) : line).replace(LEADING_SPACE, '');
    if (name === '') {
      throw new BerthError('invalid_argument', `invalid env file ${file}, line ${i + 1}: no variable name in "${raw}"`);
    }
    if (/[ \t\n\v\f\r]/.test(name)) {
      throw new BerthError('invalid_argument', `invalid env file ${file}, line ${i + 1}: variable '${name}' contains whitespaces`);
    }
    if (eq >= 0) out.push(`${name}=${line.slice(eq + 1)}`);
    else if (cliEnv[name] !== undefined) out.push(`${name}=${cliEnv[name]}`);
  });
  return out;
}

/** A flag's file (--env-file, --label-file) as UTF-8 text; `kind` names it in errors ("env file"). */
export function readFlagFile(file: string, kind: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
    throw new BerthError('invalid_argument', `cannot read ${kind} ${file}: ${why}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BerthError('invalid_argument', `${kind} ${file} contains invalid utf8 bytes; save it as UTF-8`);
  }
}

export function readEnvFile(file: string, cliEnv: NodeJS.ProcessEnv): string[] {
  return parseEnvFile(readFlagFile(file, 'env file'), file, cliEnv);
}
