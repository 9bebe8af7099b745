// Short ids as Docker shows them: 12 hex characters, no algorithm prefix.

export const SHORT_ID_LENGTH = 12;

export function stripDigestAlgorithm(id: string): string {
  const colon = id.indexOf(':');
  return colon >= 0 ? id.slice(colon + 1) : id;
}

export function shortId(id: string): string {
  return stripDigestAlgorithm(id).slice(0, SHORT_ID_LENGTH);
}
