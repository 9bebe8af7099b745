// Opens a blob with a request prepared elsewhere (the layer actor builds it,
// the pool task that transfers the layer sends it): a GET on a bare socket
// for plain-http registries (raw-get.ts), else with node:http(s), with a
// Range header when resuming. Anything but 200/206 is not handled
// here — auth challenges, error statuses and mirrors belong to the client's
// general path — so it ends the transfer with NeedsGeneralPath.
import { BerthError } from '../errors.js';
import { fromIncoming, type BlobResponse, type DirectBlobRequest } from './blob-response.js';
import type { BlobOpener } from './blob-download.js';
import { plainGet } from './http-get.js';
import { rawGet } from './raw-get.js';
import type { RetryPolicy } from './transport.js';

/** The registry answered the prepared request with something only the general path handles. */
export class NeedsGeneralPath extends BerthError {
  constructor(readonly status: number, host: string, what: string) {
    super('registry_error', `registry ${host} answered ${what} with status ${status}`);
  }
}

export function directOpener(req: DirectBlobRequest, policy: RetryPolicy, stallTimeoutMs: number, what: string): BlobOpener {
  return {
    host: req.host,
    policy,
    stallTimeoutMs,
    async open(offset, signal): Promise<BlobResponse> {
      const headers = offset > 0 ? { ...req.headers, range: `bytes=${offset}-` } : req.headers;
      const get = { url: req.url, host: req.host, what, headers, signal, headersTimeoutMs: req.headersTimeoutMs };
      const res = (await rawGet(get)) ?? fromIncoming(await plainGet(get));
      if (res.status === 200 || res.status === 206) return res;
      await res.cancel();
      throw new NeedsGeneralPath(res.status, req.host, what);
    },
  };
}
