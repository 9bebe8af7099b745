// The Go-template subset behind --format (cli/format/template.ts).
import { describe, expect, it } from 'vitest';
import { compileTemplate, expandFormatEscapes, goString, parseGoTemplate } from '../../cli/format/template.js';
import { sprintf } from '../../cli/format/template-funcs.js';

const render = (src: string, data: unknown) => parseGoTemplate(src).execute(data);

const inspect = {
  Id: 'abc123',
  Name: '/web',
  State: { Status: 'exited', Running: false, ExitCode: 3, Pid: 0 },
  Config: { Env: ['A=1', 'B=2'], Labels: { 'com.example.team': 'infra', tier: 'db' }, Cmd: ['sh', '-c', 'echo hi'], Tty: false },
  Mounts: [],
  NetworkSettings: null,
  RestartCount: 0,
};

describe('template: fields and printing', () => {
  it.each([
    ['{{.Id}}', 'abc123'],
    ['{{.State.ExitCode}}', '3'],
    ['{{.State.Running}}', 'false'],
    ['id={{.Id}} name={{.Name}}', 'id=abc123 name=/web'],
    ['{{.Config.Env}}', '[A=1 B=2]'],
    ['{{.Config.Labels}}', 'map[com.example.team:infra tier:db]'],
    ['{{.Missing}}', '<no value>'],
    ['{{.NetworkSettings}}', '<nil>'],
    ['{{.Mounts}}', '[]'],
    ['{{.Config.Labels.tier}}', 'db'],
    ['plain text', 'plain text'],
    ['', ''],
  ])('%s', (src, out) => {
    expect(render(src, inspect)).toBe(out);
  });

  it('{{.}} prints the whole value; fields of a missing parent print <no value>', () => {
    expect(render('{{.}}', 'x')).toBe('x');
    expect(render('{{.}}', [1, 'a'])).toBe('[1 a]');
    expect(render('{{.Nope.Deeper}}', inspect)).toBe('<no value>');
  });

  it('a field of a non-object is an execution error naming the field', () => {
    expect(() => render('{{.Id.Short}}', inspect)).toThrow(/can't evaluate field Short in type string/);
  });

  it('goString follows Go %v', () => {
    expect(goString({ b: [1, { c: null }], a: true })).toBe('map[a:true b:[1 map[c:<nil>]]]');
    expect(goString(undefined)).toBe('<no value>');
  });
});

describe('template: functions', () => {
  it.each([
    ['{{json .Config.Env}}', '["A=1","B=2"]'],
    ['{{json .State}}', '{"Status":"exited","Running":false,"ExitCode":3,"Pid":0}'],
    ['{{json .Missing}}', 'null'],
    ['{{.Config.Env | json}}', '["A=1","B=2"]'],
    ['{{index .Config.Env 0}}', 'A=1'],
    ['{{index .Config.Labels "com.example.team"}}', 'infra'],
    ['{{index .Config.Cmd 2}}', 'echo hi'],
    ['{{join .Config.Cmd " "}}', 'sh -c echo hi'],
    ['{{len .Config.Env}}', '2'],
    ['{{len .Id}}', '6'],
    ['{{upper .State.Status}}', 'EXITED'],
    ['{{lower "ABC"}}', 'abc'],
    ['{{title "hello world"}}', 'Hello World'],
    ['{{split "a:b:c" ":"}}', '[a b c]'],
    ['{{index (split "a:b:c" ":") 1}}', 'b'],
    ['{{truncate .Id 3}}', 'abc'],
    ['[{{pad .Id 1 2}}]', '[ abc123  ]'],
    ['{{printf "%s-%d" .Id .State.ExitCode}}', 'abc123-3'],
    ['{{printf "%-8s|%5d|%05d|%.2f|%q|%v" "ab" 42 7 3.14159 "q" .Config.Env}}', 'ab      |   42|00007|3.14|"q"|[A=1 B=2]'],
    ['{{print "a" 1 2 "b"}}', 'a1 2b'],
    ['{{println "x" 1}}', 'x 1\n'],
    ['{{slice .Config.Env 1}}', '[B=2]'],
    ['{{slice .Id 1 3}}', 'bc'],
    ['{{.Id | printf "%s!"}}', 'abc123!'],
    ['{{.Id | upper | printf "<%s>"}}', '<ABC123>'],
    ['{{(index .Config.Cmd 0)}}', 'sh'],
    ['{{(.State).Status}}', 'exited'],
  ])('%s', (src, out) => {
    expect(render(src, inspect)).toBe(out);
  });

  it('comparisons and logic', () => {
    expect(render('{{eq .State.ExitCode 3}} {{ne .State.Status "running"}} {{lt 1 2}} {{ge 2 3}}', inspect)).toBe('true true true false');
    expect(render('{{eq .State.Status "created" "exited"}}', inspect)).toBe('true');
    expect(render('{{and .Id .State.ExitCode}} {{or .Mounts "none"}} {{not .State.Running}}', inspect)).toBe('3 none true');
    // and/or stop evaluating once the answer is known, like Go 1.18+
    expect(render('{{and .Mounts (index .Mounts 5)}}', inspect)).toBe('[]');
    expect(() => render('{{eq .Id 3}}', inspect)).toThrow(/incompatible types for comparison/);
  });

  it('bad calls are execution errors, not crashes', () => {
    expect(() => render('{{index .Config.Env 9}}', inspect)).toThrow(/index out of range: 9/);
    expect(() => render('{{len .State.ExitCode}}', inspect)).toThrow(/len of type int/);
    expect(() => render('{{.Id 1}}', inspect)).toThrow(/cannot be invoked as function|non-function/);
    expect(() => render('{{join .Id ","}}', inspect)).toThrow(/expected a list/);
  });

  it('a field holding a function is a method, called with the arguments', () => {
    const row = { Labels: 'a=1', Label: (k: string) => ({ a: '1' } as Record<string, string>)[k] ?? '' };
    expect(render('{{.Label "a"}}|{{.Label "zz"}}', row)).toBe('1|');
  });

  it('sprintf reports missing and extra operands like Go', () => {
    expect(sprintf('%s %s', ['a'])).toBe('a %!s(MISSING)');
    expect(sprintf('%d', [1, 2])).toBe('1%!(EXTRA int=2)');
    expect(sprintf('100%%', [])).toBe('100%');
  });
});

describe('template: control structures and variables', () => {
  it('if / else if / else', () => {
    const t = parseGoTemplate('{{if .State.Running}}up{{else if eq .State.ExitCode 0}}done{{else}}failed({{.State.ExitCode}}){{end}}');
    expect(t.execute(inspect)).toBe('failed(3)');
    expect(t.execute({ State: { Running: true } })).toBe('up');
    expect(t.execute({ State: { Running: false, ExitCode: 0 } })).toBe('done');
  });

  it('range over lists and maps (sorted keys), with variables and else', () => {
    expect(render('{{range .Config.Env}}[{{.}}]{{end}}', inspect)).toBe('[A=1][B=2]');
    expect(render('{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}', inspect)).toBe('0:A=1 1:B=2 ');
    expect(render('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}', inspect)).toBe('com.example.team=infra;tier=db;');
    expect(render('{{range .Mounts}}x{{else}}no mounts{{end}}', inspect)).toBe('no mounts');
    expect(render('{{range $e := .Config.Env}}{{$e}}{{$.Id}} {{end}}', inspect)).toBe('A=1abc123 B=2abc123 ');
  });

  it('break and continue inside range, also from within if', () => {
    expect(render('{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4])).toBe('12');
    expect(render('{{range .}}<{{if eq . 2}}{{continue}}{{end}}{{.}}>{{end}}', [1, 2, 3])).toBe('<1><<3>');
  });

  it('with rebinds dot, or takes the else branch', () => {
    expect(render('{{with .State}}{{.Status}}/{{.ExitCode}}{{end}}', inspect)).toBe('exited/3');
    expect(render('{{with .NetworkSettings}}net{{else}}none{{end}}', inspect)).toBe('none');
  });

  it('variables: declare, assign, $ is the root', () => {
    expect(render('{{$n := .Name}}{{$n}} {{$n = "other"}}{{$n}}', inspect)).toBe('/web other');
    expect(render('{{with .State}}{{$.Id}}:{{.Status}}{{end}}', inspect)).toBe('abc123:exited');
    expect(() => render('{{$nope}}', inspect)).toThrow(/undefined variable: \$nope/);
  });

  it('trim markers and comments', () => {
    expect(render('a  {{- .Id -}}  \n b', inspect)).toBe('aabc123b');
    expect(render('x{{/* a comment */}}y', inspect)).toBe('xy');
    expect(render('{{- /* trimmed comment */ -}}  z', inspect)).toBe('z');
    expect(render('{{-3}}', {})).toBe('-3');
  });

  it('literals: strings with escapes, raw strings with braces, numbers, bools, nil', () => {
    expect(render('{{"a\\tb"}}|{{`x}}y`}}|{{1.5}}|{{true}}|{{0x10}}', {})).toBe('a\tb|x}}y|1.5|true|16');
    expect(render('{{"}}"}}', {})).toBe('}}');
  });
});

describe('template: syntax errors are clear invalid_argument errors', () => {
  it.each([
    ['{{.Id', /unclosed action/],
    ['{{if .X}}a', /unexpected EOF/],
    ['{{end}}', /unexpected \{\{end\}\}/],
    ['{{nosuch .X}}', /function "nosuch" not defined/],
    ['{{.X | }}', /missing command after \|/],
    ['{{}}', /missing value for command/],
    ['{{(.X}}', /unclosed left paren/],
    ['{{"abc}}', /unterminated quoted string|unclosed action/],
    ['{{break}}', /outside \{\{range\}\}/],
    ['{{template "x"}}', /not supported/],
    ['{{.X | "lit"}}', /non executable command/],
    ['{{/* open', /unclosed comment/],
  ])('%s', (src, why) => {
    let err: unknown;
    try { parseGoTemplate(src); } catch (e) { err = e; }
    expect(err).toMatchObject({ code: 'invalid_argument' });
    expect((err as Error).message).toMatch(/^template parsing error: /);
    expect((err as Error).message).toMatch(why);
  });

  it('execution errors name the template', () => {
    expect(() => render('{{index .A 3}}', { A: [] })).toThrow(/^template: executing "\{\{index \.A 3\}\}": error calling index/);
  });
});

describe('template: Docker format escapes', () => {
  it('\\t and \\n typed on the command line become tab and newline', () => {
    expect(expandFormatEscapes('{{.A}}\\t{{.B}}\\n')).toBe('{{.A}}\t{{.B}}\n');
    expect(compileTemplate('{{.A}}\\t{{.B}}').render({ A: 1, B: 2 })).toBe('1\t2');
  });
});
