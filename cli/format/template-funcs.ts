// The functions a --format template can call: Go's text/template built-ins
// (and, or, not, len, index, slice, eq…ge, print, printf, println) and
// Docker's additions (json, join, split, title, lower, upper, pad, truncate).
import { goString, isTrue, kindOf } from './template-values.js';

export class TemplateExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}

export type TemplateFunc = (...args: unknown[]) => unknown;
/** and/or take their arguments unevaluated (Go short-circuits them). */
export type LazyFunc = (args: Array<() => unknown>) => unknown;

const fail = (why: string): never => { throw new TemplateExecError(why); };

function str(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return fail(`error calling ${fn}: expected a string, got ${kindOf(v)}`);
}

function int(v: unknown, fn: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return fail(`error calling ${fn}: expected an integer, got ${kindOf(v)} ${goString(v)}`);
}

function comparable(a: unknown, b: unknown, fn: string): void {
  const ka = kindOf(a) === 'float64' ? 'int' : kindOf(a);
  const kb = kindOf(b) === 'float64' ? 'int' : kindOf(b);
  if (ka !== kb && !(ka === 'nil' || kb === 'nil')) fail(`error calling ${fn}: incompatible types for comparison`);
}

function ordered(fn: string, test: (a: number | string, b: number | string) => boolean): TemplateFunc {
  return (a, b) => {
    comparable(a, b, fn);
    if ((typeof a !== 'number' && typeof a !== 'string') || (typeof b !== 'number' && typeof b !== 'string')) {
      return fail(`error calling ${fn}: invalid type for comparison`);
    }
    return test(a, b);
  };
}

/** Go's fmt.Sprint: a space between operands when neither side is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goString(a);
  });
  return out;
}

/** Go's fmt.Sprintf for the verbs templates use: %s %v %d %q %f %x %X %t %%, with flags, width and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  const out = format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([svdqfxXtT%])/g, (_m, flags: string, width?: string, prec?: string, verb?: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    switch (verb) {
      case 'd': s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${kindOf(a)}=${goString(a)})`; break;
      case 'f': s = typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${kindOf(a)}=${goString(a)})`; break;
      case 'x': case 'X': {
        s = typeof a === 'number' ? Math.trunc(a).toString(16) : Buffer.from(goString(a)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      }
      case 'q': s = JSON.stringify(goString(a)); break;
      case 'T': s = kindOf(a); break;
      default: s = goString(a); if (prec !== undefined && verb === 's') s = [...s].slice(0, Number(prec)).join('');
    }
    const w = width === undefined ? 0 : Number(width);
    if ([...s].length < w) {
      const pad = (flags.includes('0') && !flags.includes('-') && verb !== 's' ? '0' : ' ').repeat(w - [...s].length);
      s = flags.includes('-') ? s + pad : pad + s;
    }
    return s;
  });
  return n < args.length ? `${out}%!(EXTRA ${args.slice(n).map((a) => `${kindOf(a)}=${goString(a)}`).join(', ')})` : out;
}

function indexInto(v: unknown, keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) || typeof cur === 'string') {
      const i = int(k, 'index');
      if (i < 0 || i >= cur.length) fail(`error calling index: index out of range: ${i}`);
      cur = typeof cur === 'string' ? cur.charCodeAt(i) : cur[i];
    } else if (cur && typeof cur === 'object') {
      cur = (cur as Record<string, unknown>)[str(k, 'index')];
    } else if (cur === undefined || cur === null) {
      fail('error calling index: index of untyped nil');
    } else {
      fail(`error calling index: can't index item of type ${kindOf(cur)}`);
    }
  }
  return cur;
}

export const FUNCS: Record<string, TemplateFunc> = {
  json: (v) => (v === undefined ? 'null' : JSON.stringify(v)),
  join: (list, sep) => (Array.isArray(list) ? list.map(goString).join(str(sep, 'join')) : fail(`error calling join: expected a list, got ${kindOf(list)}`)),
  split: (s, sep) => str(s, 'split').split(str(sep, 'split')),
  title: (s) => str(s, 'title').replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, ch: string) => pre + ch.toUpperCase()),
  lower: (s) => str(s, 'lower').toLowerCase(),
  upper: (s) => str(s, 'upper').toUpperCase(),
  pad: (s, left, right) => `${' '.repeat(Math.max(0, int(left, 'pad')))}${goString(s)}${' '.repeat(Math.max(0, int(right, 'pad')))}`,
  truncate: (s, n) => [...str(s, 'truncate')].slice(0, Math.max(0, int(n, 'truncate'))).join(''),
  len: (v) => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    return fail(`error calling len: len of type ${kindOf(v)}`);
  },
  index: (v, ...keys) => indexInto(v, keys),
  slice: (v, ...bounds) => {
    if (!Array.isArray(v) && typeof v !== 'string') return fail(`error calling slice: can't slice item of type ${kindOf(v)}`);
    const [from = 0, to = v.length] = bounds.map((b) => int(b, 'slice'));
    if (from < 0 || to > v.length || from > to) fail(`error calling slice: index out of range: ${from}:${to}`);
    return v.slice(from, to);
  },
  not: (v) => !isTrue(v),
  eq: (a, ...rest) => {
    if (rest.length === 0) fail('wrong number of args for eq: want at least 1 got 0');
    return rest.some((b) => { comparable(a, b, 'eq'); return a === b || ((a === null || a === undefined) && (b === null || b === undefined)); });
  },
  ne: (a, b) => { comparable(a, b, 'ne'); return a !== b; },
  lt: ordered('lt', (a, b) => a < b),
  le: ordered('le', (a, b) => a <= b),
  gt: ordered('gt', (a, b) => a > b),
  ge: ordered('ge', (a, b) => a >= b),
  print: (...args) => sprint(args),
  println: (...args) => `${args.map(goString).join(' ')}\n`,
  printf: (format, ...args) => sprintf(str(format, 'printf'), args),
};

export const LAZY_FUNCS: Record<string, LazyFunc> = {
  and: (args) => {
    let v: unknown;
    for (const a of args) { v = a(); if (!isTrue(v)) return v; }
    return v;
  },
  or: (args) => {
    let v: unknown;
    for (const a of args) { v = a(); if (isTrue(v)) return v; }
    return v;
  },
};

export function isTemplateFunction(name: string): boolean {
  return Object.hasOwn(FUNCS, name) || Object.hasOwn(LAZY_FUNCS, name);
}
