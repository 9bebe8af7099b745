// Go-template --format strings, as Docker's CLI takes them (`inspect -f`,
// `ps --format`, `events --format`, …). The engine is a general subset of
// Go's text/template: fields, variables, pipelines, parentheses, if / else if
// / range / with / break / continue, and Go's and Docker's functions (see
// template-funcs.ts). Errors become invalid_argument with Docker's prefixes.
import { BerthError } from '../../src/errors.js';
import { parseTemplate, type TemplateNode } from './template-parser.js';
import { execute } from './template-exec.js';
import { isTemplateFunction, TemplateExecError } from './template-funcs.js';
import { TemplateSyntaxError } from './template-lexer.js';

export { goString } from './template-values.js';

export interface Template {
  /** Renders the template for one value; throws BerthError('invalid_argument') on an execution error. */
  execute(data: unknown): string;
}

/** Parses a template exactly as written (no escape processing). */
export function parseGoTemplate(source: string): Template {
  let nodes: TemplateNode[];
  try {
    nodes = parseTemplate(source, isTemplateFunction);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) {
      throw new BerthError('invalid_argument', `template parsing error: ${err.message}`);
    }
    throw err;
  }
  return {
    execute(data) {
      try {
        return execute(nodes, data);
      } catch (err) {
        if (err instanceof TemplateExecError) {
          throw new BerthError('invalid_argument', `template: executing "${source}": ${err.message}`);
        }
        throw err;
      }
    },
  };
}

/** Docker's formatter turns a literal `\t` and `\n` typed on the command line into tab and newline. */
export function expandFormatEscapes(format: string): string {
  return format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

/** Parses once (errors are invalid_argument); a literal `\t` or `\n` becomes tab or newline, as in Docker. */
export function compileTemplate(source: string): { render(dot: unknown): string } {
  const tpl = parseGoTemplate(expandFormatEscapes(source));
  return { render: (dot) => tpl.execute(dot) };
}
