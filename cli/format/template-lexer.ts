// Go text/template lexing: splits a template into text and actions (honouring
// the {{- and -}} trim markers and {{/* comments */}}), then an action into
// tokens. Errors are TemplateSyntaxError with Go-like wording.

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

export type Token =
  | { k: 'str'; v: string; space: boolean }
  | { k: 'num'; v: number; space: boolean }
  | { k: 'bool'; v: boolean; space: boolean }
  | { k: 'nil'; space: boolean }
  /** `.` is an empty path; `.A.B` is ['A', 'B'] */
  | { k: 'field'; path: string[]; space: boolean }
  /** `$` is name ''; `$x.A` is name 'x', path ['A'] */
  | { k: 'var'; name: string; path: string[]; space: boolean }
  | { k: 'ident'; v: string; space: boolean }
  | { k: 'pipe' | 'lparen' | 'rparen' | 'decl' | 'assign' | 'comma'; space: boolean };

export type Segment = { text: string } | { action: string; line: number };

const SPACE = /[ \t\r\n]/;

/** Text and action segments; comments are dropped, trim markers applied to the neighbouring text. */
export function segment(src: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      if (text) out.push({ text });
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && SPACE.test(src[start + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 2;
    }
    if (text) out.push({ text });
    const line = src.slice(0, open).split('\n').length;
    const close = findClose(src, start, line);
    let end = close;
    trimNext = false;
    if (src[close - 1] === '-' && SPACE.test(src[close - 2] ?? '') && close - 2 >= start) {
      end = close - 2;
      trimNext = true;
    }
    const body = src.slice(start, end).trim();
    if (body.startsWith('/*')) {
      if (!body.endsWith('*/')) throw new TemplateSyntaxError(`template: :${line}: unclosed comment`);
    } else {
      out.push({ action: body, line });
    }
    i = close + 2;
  }
  return out;
}

/** Index of the `}}` closing the action that starts at `from`, skipping quoted strings and comments. */
function findClose(src: string, from: number, line: number): number {
  let i = from;
  const rest = src.slice(from).trimStart();
  if (rest.startsWith('/*')) {
    const endComment = src.indexOf('*/', from);
    if (endComment < 0) throw new TemplateSyntaxError(`template: :${line}: unclosed comment`);
    i = endComment + 2;
  }
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === '`') {
      const endQuote = c === '`' ? src.indexOf('`', i + 1) : closingQuote(src, i + 1);
      if (endQuote < 0) throw new TemplateSyntaxError(`template: :${line}: unterminated quoted string`);
      i = endQuote + 1;
      continue;
    }
    if (c === '}' && src[i + 1] === '}') return i;
    i++;
  }
  throw new TemplateSyntaxError(`template: :${line}: unclosed action`);
}

function closingQuote(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
    else if (s[i] === '\n') return -1;
  }
  return -1;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/;

/** Tokens of one action's text (between the delimiters). */
export function lexAction(action: string, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let space = true;
  const fail = (why: string): never => { throw new TemplateSyntaxError(`template: :${line}: ${why}`); };
  while (i < action.length) {
    const c = action[i];
    const rest = action.slice(i);
    if (SPACE.test(c)) { i++; space = true; continue; }
    let m: RegExpMatchArray | null;
    if (c === '|') { tokens.push({ k: 'pipe', space }); i++; }
    else if (c === '(') { tokens.push({ k: 'lparen', space }); i++; }
    else if (c === ')') { tokens.push({ k: 'rparen', space }); i++; }
    else if (c === ',') { tokens.push({ k: 'comma', space }); i++; }
    else if (rest.startsWith(':=')) { tokens.push({ k: 'decl', space }); i += 2; }
    else if (c === '=') { tokens.push({ k: 'assign', space }); i++; }
    else if (c === '"') {
      const end = closingQuote(action, i + 1);
      if (end < 0) fail('unterminated quoted string');
      tokens.push({ k: 'str', v: unquote(action.slice(i, end + 1), fail), space });
      i = end + 1;
    } else if (c === '`') {
      const end = action.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw quoted string');
      tokens.push({ k: 'str', v: action.slice(i + 1, end), space });
      i = end + 1;
    } else if (c === '$') {
      const name = IDENT.exec(rest.slice(1))?.[0] ?? '';
      const chain = FIELD_CHAIN.exec(rest.slice(1 + name.length))?.[0] ?? '';
      tokens.push({ k: 'var', name, path: chain.split('.').filter(Boolean), space });
      i += 1 + name.length + chain.length;
    } else if (c === '.' && !/\d/.test(action[i + 1] ?? '')) {
      const chain = FIELD_CHAIN.exec(rest)?.[0];
      if (chain) { tokens.push({ k: 'field', path: chain.split('.').filter(Boolean), space }); i += chain.length; }
      else if (/[A-Za-z0-9_]/.test(action[i + 1] ?? '')) fail(`bad field name in "${rest}"`);
      else { tokens.push({ k: 'field', path: [], space }); i++; }
    } else if ((m = NUMBER.exec(rest)) && (/\d|\./.test(c) || /\d|\./.test(action[i + 1] ?? ''))) {
      const n = Number(m[0].replace(/_/g, ''));
      if (Number.isNaN(n)) fail(`bad number syntax: "${m[0]}"`);
      tokens.push({ k: 'num', v: n, space });
      i += m[0].length;
    } else if ((m = IDENT.exec(rest))) {
      const word = m[0];
      if (word === 'true' || word === 'false') tokens.push({ k: 'bool', v: word === 'true', space });
      else if (word === 'nil') tokens.push({ k: 'nil', space });
      else tokens.push({ k: 'ident', v: word, space });
      i += word.length;
    } else {
      fail(`unexpected "${c}" in command`);
    }
    space = false;
  }
  return tokens;
}

function unquote(quoted: string, fail: (why: string) => never): string {
  try {
    return JSON.parse(quoted.replace(/\\([abfv'])|\\x([0-9a-fA-F]{2})/g, (_, ch: string | undefined, hex: string | undefined) =>
      hex !== undefined ? `\\u00${hex}` : ({ a: '\\u0007', b: '\\b', f: '\\f', v: '\\u000b', "'": "'" } as Record<string, string>)[ch!])) as string;
  } catch {
    return fail(`invalid syntax in string ${quoted}`);
  }
}
