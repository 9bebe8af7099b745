// Registry auth of the distribution spec. A 401 carries
// `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (answered by
// fetching a token from the realm — with the user's credential as Basic auth
// when there is one — and retrying with `Authorization: Bearer`), or
// `WWW-Authenticate: Basic realm="…"` (answered by sending the credential).
import { BerthError } from '../errors.js';
import { plainGet, toResponse } from './http-get.js';
import { httpError, networkError } from './registry-errors.js';

export interface BearerChallenge {
  realm: string;
  service?: string;
  scope?: string;
}

export type AuthChallenge = ({ scheme: 'bearer' } & BearerChallenge) | { scheme: 'basic'; realm?: string };

/** A registry login: what `berth login` stores and the CLI sends with pulls and pushes. */
export interface Credential {
  username: string;
  password: string;
}

function parseParams(s: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(s)) !== null) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return params;
}

/** Parses a WWW-Authenticate header; undefined when it is not a Bearer challenge. */
export function parseBearerChallenge(header: string | null): BearerChallenge | undefined {
  const c = parseChallenge(header);
  return c?.scheme === 'bearer' ? { realm: c.realm, service: c.service, scope: c.scope } : undefined;
}

/** Parses a Bearer or Basic WWW-Authenticate header. */
export function parseChallenge(header: string | null): AuthChallenge | undefined {
  if (!header) return undefined;
  const bearer = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (bearer) {
    const params = parseParams(bearer[1]!);
    if (!params.realm) return undefined;
    return { scheme: 'bearer', realm: params.realm, service: params.service, scope: params.scope };
  }
  const basic = /^\s*Basic\b(.*)$/i.exec(header);
  if (basic) return { scheme: 'basic', realm: parseParams(basic[1] ?? '').realm };
  return undefined;
}

export function basicAuthorization(c: Credential): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** Decodes Docker's `auth` field (base64 of "user:password"). */
export function decodeAuthField(auth: string): Credential {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw new BerthError('invalid_argument', 'the registry credential is malformed (expected base64 of "user:password"); run `berth login` again');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Fetches a token for `scopes` from the challenge's realm, with `credential` as Basic auth when given. */
export async function fetchToken(challenge: BearerChallenge, scopes: string[], host: string, credential?: Credential): Promise<string> {
  let url: URL;
  try {
    url = new URL(challenge.realm);
  } catch (err) {
    throw new BerthError('registry_error', `registry ${host} sent an auth challenge with an invalid realm "${challenge.realm}"`, { cause: err });
  }
  if (challenge.service) url.searchParams.set('service', challenge.service);
  const wanted = scopes.length > 0 ? scopes : challenge.scope ? [challenge.scope] : [];
  for (const s of wanted) url.searchParams.append('scope', s);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credential) headers.authorization = basicAuthorization(credential);
  let res: Response;
  try {
    const msg = await plainGet({ url: url.toString(), host: url.host, what: 'a token', headers, headersTimeoutMs: 30_000, signal: AbortSignal.timeout(30_000) });
    res = toResponse(msg, 'GET');
  } catch (err) {
    throw networkError(err, url.host, url.toString());
  }
  const what = `${credential ? `a token for ${credential.username}` : 'an anonymous token'} for ${wanted.join(' ') || 'the registry'}`;
  if (!res.ok) {
    const e = await httpError(res, url.host, what);
    if (res.status === 401 || res.status === 403) {
      throw new BerthError('registry_error', credential
        ? `registry ${host} refused the login of ${credential.username}: ${e.message}; check the user name and password (berth login ${host})`
        : `${e.message}; registry ${host} requires a login for ${wanted.join(' ')}: run \`berth login ${host}\` first`);
    }
    throw e;
  }
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
  if (!token) throw new BerthError('registry_error', `token endpoint ${url.host} for registry ${host} returned no token`);
  return token;
}

/** Fetches an anonymous token for `scope` (kept for callers of the pull-only client). */
export function fetchAnonymousToken(challenge: BearerChallenge, scope: string, host: string): Promise<string> {
  return fetchToken(challenge, challenge.scope ? [challenge.scope] : [scope], host);
}
