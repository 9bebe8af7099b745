// A new container's Config.ExposedPorts, as Docker's: the image's EXPOSE,
// --expose, and the container side of each -p ("80/tcp" keys, in that order,
// without repeats). -P publishes all of them.
import { exposedKeys, parsePublish } from '../network/ports.js';
import { imageRuntimeConfig } from './image-config-blob.js';

const publishedKeys = (publish: string[] | undefined): string[] =>
  (publish ?? []).flatMap(parsePublish).map((m) => `${m.containerPort}/${m.protocol}`);

/** What -P adds: the exposed ports no -p binds already. */
export function unpublished(exposed: string[], publish: string[] | undefined): string[] {
  const bound = new Set(publishedKeys(publish));
  return exposed.filter((k) => !bound.has(k));
}

export async function exposedPorts(root: string, imageId: string, p: { expose?: string[]; publish?: string[] }): Promise<string[]> {
  const image = Object.keys((await imageRuntimeConfig(root, imageId)).ExposedPorts ?? {}).map((k) => (k.includes('/') ? k : `${k}/tcp`));
  const flags = (p.expose ?? []).flatMap(exposedKeys);
  return [...new Set([...image, ...flags, ...publishedKeys(p.publish)])];
}
