// run/create --security-opt as Docker's CLI sends it: `seccomp=FILE` is
// replaced by the file's JSON (the daemon never reads client paths); the rest
// goes as given and the daemon checks it (src/runtime/security-opts.ts).
import { readFileSync } from 'node:fs';
import { BerthError } from '../../../src/errors.js';

function profileText(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BerthError('invalid_argument', `opening seccomp profile (${path}) failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (err) {
    throw new BerthError('invalid_argument', `seccomp profile ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export function securityOpts(opts: string[]): string[] {
  return opts.map((opt) => {
    const m = /^seccomp[=:](.*)$/s.exec(opt);
    if (!m || m[1] === 'unconfined' || m[1] === '') return opt;
    return `seccomp=${profileText(m[1])}`;
  });
}
