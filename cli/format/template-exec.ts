// Executes a parsed template against a value ("dot"), the way Go's
// text/template does for JSON-like data: objects act as maps (a missing key
// prints "<no value>"), and a field holding a function is called as a method.
import type { Command, Operand, Pipe, TemplateNode } from './template-parser.js';
import { FUNCS, LAZY_FUNCS, TemplateExecError } from './template-funcs.js';
import { goString, isTrue, kindOf } from './template-values.js';

type Scope = Array<Map<string, unknown>>;

/** Thrown by {{break}}/{{continue}}; carries the output produced so far in the iteration. */
class LoopControl { constructor(readonly kind: 'break' | 'continue', public partial = '') {} }

const fail = (why: string): never => { throw new TemplateExecError(why); };

function lookup(scope: Scope, name: string): unknown {
  for (let i = scope.length - 1; i >= 0; i--) if (scope[i].has(name)) return scope[i].get(name);
  return fail(`undefined variable: $${name}`);
}

function setVar(scope: Scope, name: string, value: unknown, assign: boolean): void {
  if (!assign) { scope[scope.length - 1].set(name, value); return; }
  for (let i = scope.length - 1; i >= 0; i--) if (scope[i].has(name)) { scope[i].set(name, value); return; }
  fail(`undefined variable: $${name}`);
}

/** Walks .A.B from `base`; the last step may be a method called with `args`. */
function walk(base: unknown, path: string[], args: unknown[], label: string): unknown {
  let cur = base;
  for (let i = 0; i < path.length; i++) {
    const name = path[i];
    const last = i === path.length - 1;
    if (cur === undefined || cur === null) {
      if (base === undefined || base === null || i > 0) return undefined;
      return fail(`nil pointer evaluating ${label}`);
    }
    if (typeof cur !== 'object' || Array.isArray(cur)) return fail(`can't evaluate field ${name} in type ${kindOf(cur)}`);
    const v = (cur as Record<string, unknown>)[name];
    if (typeof v === 'function') {
      cur = (v as (...a: unknown[]) => unknown).call(cur, ...(last ? args : []));
      if (last) return cur;
      continue;
    }
    cur = v;
  }
  if (args.length > 0) fail(`${label} has arguments but cannot be invoked as function`);
  return cur;
}

function operandValue(op: Operand, dot: unknown, scope: Scope, args: unknown[]): unknown {
  switch (op.t) {
    case 'lit':
      if (args.length > 0) fail(`can't give argument to non-function ${goString(op.v)}`);
      return op.v;
    case 'field': return walk(dot, op.path, args, `.${op.path.join('.')}`);
    case 'var': return walk(lookup(scope, op.name), op.path, args, `$${op.name}`);
    case 'sub': return walk(evalPipe(op.pipe, dot, scope), op.path, args, '(…)');
    case 'fn': return fail(`${op.name} is a function`);
  }
}

function evalCommand(cmd: Command, dot: unknown, scope: Scope, piped: { v: unknown } | undefined): unknown {
  const [head, ...rest] = cmd;
  const arg = (op: Operand): unknown => {
    if (op.t === 'fn') return callFunction(op.name, [], dot, scope, undefined);
    return operandValue(op, dot, scope, []);
  };
  if (head.t === 'fn') return callFunction(head.name, rest, dot, scope, piped);
  const args = rest.map(arg);
  if (piped) args.push(piped.v);
  if (args.length > 0 && head.t !== 'field' && head.t !== 'var' && head.t !== 'sub') {
    return fail(`can't give argument to non-function ${goString(operandValue(head, dot, scope, []))}`);
  }
  return operandValue(head, dot, scope, args);
}

function callFunction(name: string, argOps: Operand[], dot: unknown, scope: Scope, piped: { v: unknown } | undefined): unknown {
  const thunks = argOps.map((op) => () => (op.t === 'fn' ? callFunction(op.name, [], dot, scope, undefined) : operandValue(op, dot, scope, [])));
  if (piped) thunks.push(() => piped.v);
  const lazy = LAZY_FUNCS[name];
  if (lazy) {
    if (thunks.length === 0) fail(`wrong number of args for ${name}: want at least 1 got 0`);
    return lazy(thunks);
  }
  return FUNCS[name](...thunks.map((t) => t()));
}

export function evalPipe(pipe: Pipe, dot: unknown, scope: Scope): unknown {
  let piped: { v: unknown } | undefined;
  for (const cmd of pipe.cmds) piped = { v: evalCommand(cmd, dot, scope, piped) };
  const value = piped!.v;
  if (pipe.vars.length === 1) setVar(scope, pipe.vars[0], value, pipe.assign);
  return value;
}

function rangeItems(v: unknown): Array<[unknown, unknown]> {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((item, i) => [i, item]);
  if (typeof v === 'object') return Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
  if (typeof v === 'number' && Number.isInteger(v)) return Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
  return fail(`range can't iterate over ${goString(v)}`);
}

function execInto(sink: { text: string }, nodes: TemplateNode[], dot: unknown, scope: Scope): void {
  for (const n of nodes) {
    switch (n.t) {
      case 'text': sink.text += n.text; break;
      case 'action': {
        const v = evalPipe(n.pipe, dot, scope);
        if (n.pipe.vars.length === 0) sink.text += goString(v);
        break;
      }
      case 'if': case 'with': {
        scope.push(new Map());
        try {
          const v = evalPipe(n.pipe, dot, scope);
          if (isTrue(v)) sink.text += execNodes(n.body, n.t === 'with' ? v : dot, scope);
          else sink.text += execNodes(n.alt, dot, scope);
        } finally { scope.pop(); }
        break;
      }
      case 'range': {
        scope.push(new Map());
        try {
          const items = rangeItems(evalPipe({ ...n.pipe, vars: [] }, dot, scope));
          if (items.length === 0) { sink.text += execNodes(n.alt, dot, scope); break; }
          const frame = scope[scope.length - 1];
          for (const [key, item] of items) {
            if (n.pipe.vars.length === 1) frame.set(n.pipe.vars[0], item);
            if (n.pipe.vars.length === 2) { frame.set(n.pipe.vars[0], key); frame.set(n.pipe.vars[1], item); }
            try {
              sink.text += execNodes(n.body, item, scope);
            } catch (e) {
              if (!(e instanceof LoopControl)) throw e;
              sink.text += e.partial;
              if (e.kind === 'break') break;
            }
          }
        } finally { scope.pop(); }
        break;
      }
      case 'break': case 'continue':
        throw new LoopControl(n.t);
    }
  }
}

function execNodes(nodes: TemplateNode[], dot: unknown, scope: Scope): string {
  const out = { text: '' };
  try {
    execInto(out, nodes, dot, scope);
  } catch (e) {
    if (e instanceof LoopControl) e.partial = out.text + e.partial;
    throw e;
  }
  return out.text;
}

export function execute(nodes: TemplateNode[], data: unknown): string {
  return execNodes(nodes, data, [new Map([['', data]])]);
}
