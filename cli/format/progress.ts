// Renders pull/load progress events as Docker does: one line per layer id.
// On a terminal each layer's line is rewritten in place; elsewhere a line is
// printed only when a layer's status text changes (no byte-count spam).
import type { StreamEvent } from '../../src/protocol/frames.js';
import { humanSize } from './size.js';

type ProgressEvent = Extract<StreamEvent, { kind: 'progress' }>;

export interface TextSink { write(text: string): unknown }

export function progressLine(ev: ProgressEvent): string {
  let detail = '';
  if (typeof ev.current === 'number' && ev.current > 0) {
    detail = typeof ev.total === 'number' && ev.total > 0
      ? ` ${humanSize(ev.current)}/${humanSize(ev.total)}`
      : ` ${humanSize(ev.current)}`;
  }
  return `${ev.id}: ${ev.status}${detail}`;
}

export class ProgressRenderer {
  /** For each layer id: the line it sits on (TTY) or its last printed status (otherwise). */
  private readonly lineOf = new Map<string, number>();
  private readonly lastStatus = new Map<string, string>();
  private linesPrinted = 0;
  private sawTransfer = false;

  constructor(private readonly out: TextSink, private readonly inPlace: boolean) {}

  /** True once any layer was downloaded or extracted (so the pull fetched something new). */
  get transferred(): boolean {
    return this.sawTransfer;
  }

  render(ev: StreamEvent): void {
    if (ev.kind === 'status') this.line(ev.message);
    else if (ev.kind === 'progress') this.progress(ev);
  }

  private progress(ev: ProgressEvent): void {
    if (/^(Downloading|Extracting|Pull complete|Download complete)/.test(ev.status)) this.sawTransfer = true;
    const text = progressLine(ev);
    if (!this.inPlace) {
      if (this.lastStatus.get(ev.id) === ev.status) return;
      this.lastStatus.set(ev.id, ev.status);
      this.line(text);
      return;
    }
    const at = this.lineOf.get(ev.id);
    if (at === undefined) {
      this.lineOf.set(ev.id, this.linesPrinted);
      this.line(text);
      return;
    }
    const up = this.linesPrinted - at;
    // Up to the layer's line, clear it, write, then back down to where we were.
    this.out.write(`\x1b[${up}A\r\x1b[2K${text}\r\x1b[${up}B`);
  }

  private line(text: string): void {
    this.out.write(text + '\n');
    this.linesPrinted++;
  }
}
