// Talking to registries on the user's behalf, besides pulling: `berth push`
// (run as a push actor) and `berth login` (a credential check). Credentials
// arrive with each call and are never stored by the daemon.
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors.js';
import { familiarName, formatReference, parseReference } from '../image/reference.js';
import { decodeAuthField } from '../registry/bearer-auth.js';
import { RegistryClient } from '../registry/client.js';
import { insecureMatcher, type RegistryConfig } from '../registry/registry-config.js';
import { findImage } from './lookup.js';
import type { ActorRouter } from '../workers/router.js';
import type { MetadataDb } from '../store/db.js';
import type { CallContext } from '../daemon/call-context.js';
import type { PushInput } from '../machines/push.js';
import type { PushResult } from '../protocol/methods.js';

export class RegistryService {
  private readonly client: RegistryClient;

  constructor(private readonly db: MetadataDb, private readonly router: ActorRouter, config?: RegistryConfig) {
    this.client = new RegistryClient({ insecure: insecureMatcher(config?.insecureRegistries ?? []) });
  }

  async push(name: string, auth: string | undefined, call: CallContext): Promise<PushResult> {
    const ref = parseReference(name);
    if (ref.digest) throw new BerthError('invalid_argument', `cannot push ${name}: push a tag (NAME[:TAG]), not a digest`);
    if (!ref.tag) ref.tag = 'latest';
    const full = formatReference(ref);
    const image = findImage(this.db, full);
    if (!image) throw new BerthError('not_found', `An image does not exist locally with the tag: ${familiarName({ ...ref, tag: ref.tag === 'latest' && !name.includes(':') ? undefined : ref.tag })}`);
    const mountFrom = new Set<string>();
    for (const r of [...image.repoTags, ...image.repoDigests]) {
      const other = parseReference(r);
      if (other.registry === ref.registry && other.repository !== ref.repository) mountFrom.add(other.repository);
    }
    const sources = image.repoDigests.map((d) => d.slice(0, d.indexOf('@'))).filter((s) => s !== '');
    const input: PushInput = { ref: full, manifestDigest: image.manifestDigest, mountFrom: [...mountFrom], sources };
    call.emit({ kind: 'status', message: `The push refers to repository [${ref.registry}/${ref.repository}]` });
    const actorId = `push/${randomBytes(6).toString('hex')}`;
    const unsubscribe = this.router.subscribe(actorId, (ev) => call.emit(ev));
    try {
      const credential = auth ? decodeAuthField(auth) : undefined;
      const r = await this.router.ask<PushResult>(actorId, { type: 'RUN', ...(credential ? { credential } : {}) }, { kind: 'push', input });
      return { ...r, ref: familiarName(ref) };
    } finally {
      unsubscribe();
    }
  }

  async login(server: string, auth: string): Promise<{ status: string }> {
    const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (host === '') throw new BerthError('invalid_argument', 'no registry given: berth login SERVER');
    await this.client.checkLogin(host, decodeAuthField(auth));
    return { status: 'Login Succeeded' };
  }
}
