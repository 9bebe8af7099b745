// --restart as Docker parses and checks it: no | always | unless-stopped |
// on-failure[:MAX-RETRIES]. Returns the policy as the daemon takes it.
import { BerthError } from '../../../src/errors.js';

const POLICIES = ['no', 'always', 'unless-stopped', 'on-failure'];

export function parseRestartPolicy(value: string): string {
  const bad = (why: string): never => { throw new BerthError('invalid_argument', why); };
  const colon = value.indexOf(':');
  const name = colon >= 0 ? value.slice(0, colon) : value;
  const count = colon >= 0 ? value.slice(colon + 1) : '';
  if (colon >= 0 && name === '') bad('invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^-?\d+$/.test(count)) bad('invalid restart policy format: maximum retry count must be an integer');
  const max = count === '' ? 0 : Number(count);
  const policy = name === '' ? 'no' : name;
  if (!POLICIES.includes(policy)) {
    bad(`invalid restart policy: unknown policy '${policy}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (policy === 'on-failure') {
    if (max < 0) bad('invalid restart policy: maximum retry count cannot be negative');
    return max > 0 ? `on-failure:${max}` : 'on-failure';
  }
  if (max !== 0) bad(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  return policy;
}
