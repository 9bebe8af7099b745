// A subset of Go's text/template, as Docker's --format uses it:
//   {{.Field.Sub}}  {{.}}  {{json .X}}  {{index .X 0}}  {{index .X "key"}}
//   {{join .X ", "}}  {{upper .X}}  {{lower .X}}  {{len .X}}  {{.X | json}}
//   {{range .X}}...{{end}}  {{if .X}}...{{else}}...{{end}}  {{- trim -}}
// Values print the way Go prints them: lists as [a b], maps as map[k:v].
import { BerthError } from '../../src/errors.js';

type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: string }
  | { t: 'range'; pipe: string; body: Node[] }
  | { t: 'if'; pipe: string; body: Node[]; alt: Node[] };

function bad(template: string, why: string): BerthError {
  return new BerthError('invalid_argument', `template parsing error: ${why} (in "${template}")`);
}

function tokenize(src: string): Array<{ text?: string; action?: string }> {
  const out: Array<{ text?: string; action?: string }> = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) { out.push({ text: src.slice(i) }); break; }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && src[start + 1] === ' ') { text = text.trimEnd(); start++; }
    if (text) out.push({ text });
    const close = src.indexOf('}}', start);
    if (close < 0) throw bad(src, 'unclosed action');
    let end = close;
    let next = close + 2;
    if (src[close - 1] === '-' && src[close - 2] === ' ') {
      end = close - 1;
      while (next < src.length && /\s/.test(src[next])) next++;
    }
    out.push({ action: src.slice(start, end).trim() });
    i = next;
  }
  return out;
}

function parse(src: string): Node[] {
  const tokens = tokenize(src);
  let pos = 0;
  const block = (stopAt: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos++];
      if (tok.text !== undefined) { nodes.push({ t: 'text', text: tok.text }); continue; }
      const a = tok.action!;
      const word = a.split(/\s+/)[0];
      if (stopAt.includes(word)) return { nodes, stop: word };
      if (word === 'range') {
        const body = block(['end']);
        if (body.stop !== 'end') throw bad(src, 'range without end');
        nodes.push({ t: 'range', pipe: a.slice(5).trim(), body: body.nodes });
      } else if (word === 'if') {
        const body = block(['else', 'end']);
        let alt: Node[] = [];
        if (body.stop === 'else') {
          const e = block(['end']);
          if (e.stop !== 'end') throw bad(src, 'if without end');
          alt = e.nodes;
        } else if (body.stop !== 'end') throw bad(src, 'if without end');
        nodes.push({ t: 'if', pipe: a.slice(2).trim(), body: body.nodes, alt });
      } else if (word === 'end' || word === 'else') {
        throw bad(src, `unexpected {{${word}}}`);
      } else if (!a.startsWith('/*')) {
        nodes.push({ t: 'action', pipe: a });
      }
    }
    return { nodes, stop: '' };
  };
  const r = block([]);
  return r.nodes;
}

/** Go's fmt %v for JSON-like values. */
export function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goString(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

function splitArgs(s: string, template: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] !== undefined ? JSON.stringify(JSON.parse(`"${m[1]}"`)) : m[2]);
  if (out.length === 0) throw bad(template, 'empty command');
  return out;
}

function field(dot: unknown, path: string, template: string): unknown {
  let v: unknown = dot;
  for (const name of path.split('.').filter(Boolean)) {
    if (v === null || v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw bad(template, `can't evaluate field ${name} in type ${Array.isArray(v) ? 'list' : typeof v}`);
    v = (v as Record<string, unknown>)[name];
  }
  return v;
}

function arg(a: string, dot: unknown, template: string): unknown {
  if (a.startsWith('"')) return JSON.parse(a);
  if (/^-?\d+$/.test(a)) return Number(a);
  if (a === '.') return dot;
  if (a.startsWith('.')) return field(dot, a, template);
  throw bad(template, `function "${a}" not defined`);
}

const FUNCS: Record<string, (args: unknown[], template: string) => unknown> = {
  json: ([v]) => JSON.stringify(v ?? null),
  upper: ([v]) => goString(v).toUpperCase(),
  lower: ([v]) => goString(v).toLowerCase(),
  len: ([v]) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  join: ([v, sep]) => (Array.isArray(v) ? v.map(goString).join(String(sep ?? '')) : goString(v)),
  index: ([v, ...keys], template) => {
    let cur = v;
    for (const k of keys) {
      if (Array.isArray(cur)) {
        if (typeof k !== 'number' || k < 0 || k >= cur.length) throw bad(template, `error calling index: index out of range: ${goString(k)}`);
        cur = cur[k];
      } else if (cur && typeof cur === 'object') cur = (cur as Record<string, unknown>)[String(k)];
      else throw bad(template, `error calling index: cannot index ${goString(cur)}`);
    }
    return cur;
  },
};

function evalPipe(pipe: string, dot: unknown, template: string): unknown {
  let value: unknown;
  let first = true;
  for (const cmd of pipe.split('|').map((c) => c.trim())) {
    const args = splitArgs(cmd, template);
    const fn = FUNCS[args[0]];
    if (fn) {
      const vals = args.slice(1).map((a) => arg(a, dot, template));
      if (!first) vals.push(value);
      value = fn(vals, template);
    } else {
      if (args.length > 1 || !first) throw bad(template, `function "${args[0]}" not defined`);
      value = arg(args[0], dot, template);
    }
    first = false;
  }
  return value;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}

function run(nodes: Node[], dot: unknown, template: string): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.text;
    else if (n.t === 'action') {
      const v = evalPipe(n.pipe, dot, template);
      out += goString(v);
    } else if (n.t === 'if') out += run(truthy(evalPipe(n.pipe, dot, template)) ? n.body : n.alt, dot, template);
    else {
      const v = evalPipe(n.pipe, dot, template);
      const items = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
      for (const item of items) out += run(n.body, item, template);
    }
  }
  return out;
}

export interface CompiledTemplate { render(dot: unknown): string }

/** Parses once (errors are invalid_argument); `\t` and `\n` written literally become tab and newline, as in Docker. */
export function compileTemplate(source: string): CompiledTemplate {
  const text = source.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const nodes = parse(text);
  return { render: (dot) => run(nodes, dot, source) };
}
