// Small helpers the page's modules share: the token-carrying API call,
// element creation, and how state values and ids are written.
export interface Actor { actorId: string; kind: string; seq: number; event: string; state: unknown; status: string; time: string; context: unknown; host: number }
export interface HostInfo { index: number; threadId: number; up: boolean }

export const token = new URLSearchParams(location.search).get('token') ?? '';

export async function api<T>(path: string): Promise<T> {
  const r = await fetch(`${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<T>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export const stateText = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => `${k}.${stateText(x)}`).join(',') : String(v));
export const short = (id: string) => (id.length > 40 ? id.slice(0, 37) + '…' : id);
export const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
