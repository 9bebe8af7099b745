// Docker's truncation with a trailing "…" and its Go-style quoting, as used
// for the COMMAND column of `ps`.

export const PS_COMMAND_WIDTH = 20;

/** Cuts `text` to at most `width` characters, the last being "…" when cut. */
export function ellipsis(text: string, width: number): string {
  const chars = [...text];
  if (width <= 0) return '';
  if (chars.length <= width) return text;
  if (width === 1) return '…';
  return chars.slice(0, width - 1).join('') + '…';
}

/** Double-quoted with Go strconv.Quote's escapes for the characters that matter in a terminal. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export function psCommand(command: string, truncate: boolean): string {
  return goQuote(truncate ? ellipsis(command, PS_COMMAND_WIDTH) : command);
}
