// Go text/template parsing: segments and tokens (template-lexer.ts) into a
// tree of text, actions and the control structures if / range / with.
import { lexAction, segment, TemplateSyntaxError, type Token } from './template-lexer.js';

export type Operand =
  | { t: 'lit'; v: unknown }
  | { t: 'field'; path: string[] }
  | { t: 'var'; name: string; path: string[] }
  | { t: 'fn'; name: string }
  | { t: 'sub'; pipe: Pipe; path: string[] };

export type Command = Operand[];

export interface Pipe {
  /** Variables declared (`:=`) or assigned (`=`) by the pipeline. */
  vars: string[];
  assign: boolean;
  cmds: Command[];
}

export type TemplateNode =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if' | 'with' | 'range'; pipe: Pipe; body: TemplateNode[]; alt: TemplateNode[] }
  | { t: 'break' | 'continue' };

export function parseTemplate(src: string, isFunction: (name: string) => boolean): TemplateNode[] {
  const segs = segment(src);
  let pos = 0;

  const block = (inside: string | undefined, loopDepth: number): { nodes: TemplateNode[]; stop: 'end' | 'else' | 'eof'; elseTokens?: Token[]; line: number } => {
    const nodes: TemplateNode[] = [];
    while (pos < segs.length) {
      const seg = segs[pos++];
      if ('text' in seg) { nodes.push({ t: 'text', text: seg.text }); continue; }
      const fail = (why: string): never => { throw new TemplateSyntaxError(`template: :${seg.line}: ${why}`); };
      const tokens = lexAction(seg.action, seg.line);
      if (tokens.length === 0) fail('missing value for command');
      const head = tokens[0];
      const keyword = head.k === 'ident' ? head.v : undefined;
      if (keyword === 'end' || keyword === 'else') {
        if (!inside) fail(`unexpected {{${keyword}}}`);
        if (keyword === 'end' && tokens.length > 1) fail('unexpected tokens after end');
        return { nodes, stop: keyword, elseTokens: tokens.slice(1), line: seg.line };
      }
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        nodes.push(control(keyword, tokens.slice(1), seg.line, loopDepth));
      } else if (keyword === 'break' || keyword === 'continue') {
        if (loopDepth === 0) fail(`{{${keyword}}} outside {{range}}`);
        nodes.push({ t: keyword });
      } else if (keyword === 'define' || keyword === 'template' || keyword === 'block') {
        fail(`{{${keyword}}} is not supported in --format templates`);
      } else {
        nodes.push({ t: 'action', pipe: pipeline(tokens, seg.line, isFunction, false) });
      }
    }
    if (inside) throw new TemplateSyntaxError(`template: :${segs.length > 0 ? 'end' : 1}: unexpected EOF in {{${inside}}}`);
    return { nodes, stop: 'eof', line: 0 };
  };

  const control = (kind: 'if' | 'with' | 'range', tokens: Token[], line: number, loopDepth: number): TemplateNode => {
    if (tokens.length === 0) throw new TemplateSyntaxError(`template: :${line}: missing value for ${kind}`);
    const pipe = pipeline(tokens, line, isFunction, kind === 'range');
    const body = block(kind, kind === 'range' ? loopDepth + 1 : loopDepth);
    let alt: TemplateNode[] = [];
    if (body.stop === 'else') {
      const rest = body.elseTokens ?? [];
      if (rest.length > 0) {
        // {{else if …}} / {{else with …}}: a nested control that consumes the shared {{end}}.
        const nested = rest[0];
        if (nested.k !== 'ident' || (nested.v !== 'if' && nested.v !== 'with')) {
          throw new TemplateSyntaxError(`template: :${body.line}: unexpected tokens after else`);
        }
        alt = [control(nested.v, rest.slice(1), body.line, loopDepth)];
      } else {
        const tail = block(kind, loopDepth);
        if (tail.stop !== 'end') throw new TemplateSyntaxError(`template: :${tail.line}: expected end; found else`);
        alt = tail.nodes;
      }
    }
    return { t: kind, pipe, body: body.nodes, alt };
  };

  const r = block(undefined, 0);
  return r.nodes;
}

function pipeline(tokens: Token[], line: number, isFunction: (name: string) => boolean, allowTwoVars: boolean): Pipe {
  const fail = (why: string): never => { throw new TemplateSyntaxError(`template: :${line}: ${why}`); };
  let at = 0;
  const vars: string[] = [];
  let assign = false;
  // Declarations: $x := …, $i, $e := … (range only), $x = …
  const declEnd = tokens.findIndex((t) => t.k === 'decl' || t.k === 'assign');
  if (declEnd > 0 && tokens.slice(0, declEnd).every((t) => t.k === 'var' || t.k === 'comma')) {
    const names = tokens.slice(0, declEnd).filter((t): t is Extract<Token, { k: 'var' }> => t.k === 'var');
    if (names.some((n) => n.path.length > 0 || n.name === '')) fail('bad variable declaration');
    if (names.length > (allowTwoVars ? 2 : 1)) fail('too many declarations');
    vars.push(...names.map((n) => n.name));
    assign = tokens[declEnd].k === 'assign';
    at = declEnd + 1;
  }
  const cmds: Command[] = [];
  let cmd: Command = [];
  const operand = (): Operand => {
    const tok = tokens[at++];
    let op: Operand;
    switch (tok.k) {
      case 'str': case 'num': case 'bool': op = { t: 'lit', v: tok.v }; break;
      case 'nil': op = { t: 'lit', v: null }; break;
      case 'field': op = { t: 'field', path: tok.path }; break;
      case 'var': op = { t: 'var', name: tok.name, path: tok.path }; break;
      case 'ident':
        if (!isFunction(tok.v)) fail(`function "${tok.v}" not defined`);
        op = { t: 'fn', name: tok.v };
        break;
      case 'lparen': {
        let depth = 1;
        const start = at;
        while (at < tokens.length && depth > 0) {
          if (tokens[at].k === 'lparen') depth++;
          if (tokens[at].k === 'rparen') depth--;
          at++;
        }
        if (depth > 0) fail('unclosed left paren');
        const inner = tokens.slice(start, at - 1);
        if (inner.length === 0) fail('missing value for parenthesized pipeline');
        let path: string[] = [];
        const next = tokens[at];
        if (next && next.k === 'field' && !next.space) { path = next.path; at++; }
        op = { t: 'sub', pipe: pipeline(inner, line, isFunction, false), path };
        break;
      }
      case 'rparen': return fail('unexpected right paren');
      default: return fail(`unexpected ${describe(tok)} in operand`);
    }
    return op;
  };
  while (at < tokens.length) {
    if (tokens[at].k === 'pipe') {
      if (cmd.length === 0) fail('missing command before |');
      cmds.push(cmd);
      cmd = [];
      at++;
      continue;
    }
    cmd.push(operand());
  }
  if (cmd.length === 0) fail(cmds.length > 0 ? 'missing command after |' : 'missing value for command');
  cmds.push(cmd);
  for (const c of cmds.slice(1)) {
    if (c[0].t === 'lit') fail('non executable command in pipeline stage 2');
  }
  return { vars, assign, cmds };
}

function describe(tok: Token): string {
  switch (tok.k) {
    case 'decl': return '":="';
    case 'assign': return '"="';
    case 'comma': return '","';
    default: return `"${tok.k}"`;
  }
}
