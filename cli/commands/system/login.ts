// berth login [-u USER] [-p PASSWORD | --password-stdin] SERVER: the daemon
// checks the credential against the registry (GET /v2/), then it is stored
// in ~/.berth/config.json (mode 0600, Docker's `auths` format).
import { BerthError } from '../../../src/errors.js';
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { configPath, storeCredential } from '../../credentials.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new BerthError('invalid_argument', '--password-stdin needs the password on stdin, e.g. echo "$PASSWORD" | berth login -u USER --password-stdin SERVER');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export default async function login(inv: Invocation): Promise<number> {
  const [server] = inv.args;
  const username = typeof inv.opts.username === 'string' ? inv.opts.username : undefined;
  let password = typeof inv.opts.password === 'string' ? inv.opts.password : undefined;
  if (inv.opts.passwordStdin === true) {
    if (password !== undefined) throw new BerthError('invalid_argument', '--password and --password-stdin are mutually exclusive');
    password = await readStdin();
  }
  if (!username) throw new BerthError('invalid_argument', 'give the user name with -u USER (interactive prompts are not supported)');
  if (password === undefined || password === '') throw new BerthError('invalid_argument', 'give the password with --password-stdin (recommended) or -p PASSWORD');
  if (inv.opts.password !== undefined) process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  const result = await withDaemon(inv, (client) => client.call('system.login', { server: server!, auth }));
  storeCredential(server!, username, password);
  process.stdout.write(`WARNING! Your password will be stored unencrypted in ${configPath()}.\n\n${result.status}\n`);
  return 0;
}
