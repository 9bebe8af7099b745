// Anonymous bearer-token auth of the distribution spec: a 401 with
// `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` is answered by
// fetching a token from the realm and retrying with `Authorization: Bearer`.
import { BerthError } from '../errors.js';
import { httpError, networkError } from './registry-errors.js';

export interface BearerChallenge {
  realm: string;
  service?: string;
  scope?: string;
}

/** Parses a WWW-Authenticate header; undefined when it is not a Bearer challenge. */
export function parseBearerChallenge(header: string | null): BearerChallenge | undefined {
  if (!header) return undefined;
  const m = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[1]!)) !== null) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  if (!params.realm) return undefined;
  return { realm: params.realm, service: params.service, scope: params.scope };
}

/** Fetches an anonymous token for `scope` from the challenge's realm. */
export async function fetchAnonymousToken(challenge: BearerChallenge, scope: string, host: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(challenge.realm);
  } catch (err) {
    throw new BerthError('registry_error', `registry ${host} sent an auth challenge with an invalid realm "${challenge.realm}"`, { cause: err });
  }
  if (challenge.service) url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', challenge.scope ?? scope);
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw networkError(err, url.host, url.toString());
  }
  if (!res.ok) throw await httpError(res, url.host, `an anonymous token for ${scope}`);
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
  if (!token) throw new BerthError('registry_error', `token endpoint ${url.host} for registry ${host} returned no token`);
  return token;
}
