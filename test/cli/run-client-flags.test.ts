// The pure parsers behind run/create's CLI-side flags.
import { describe, expect, it } from 'vitest';
import { parseAttach, parseLabelFile } from '../../cli/commands/container/run-client-flags.js';
import { checkPullPolicy } from '../../src/services/create-image.js';

describe('run client flags', () => {
  it('parseLabelFile keeps KEY=VALUE and KEY lines, trimmed, without comments or blank lines', () => {
    expect(parseLabelFile('\uFEFF# c\r\n a=1 \n\nb\n  # indented comment\nc=x=y\n')).toEqual(['a=1', 'b', 'c=x=y']);
  });

  it('parseAttach takes the three streams in any case and refuses the rest', () => {
    expect(parseAttach(undefined)).toBeUndefined();
    expect([...parseAttach(['STDIN', 'stdout', 'Stdout'])!]).toEqual(['stdin', 'stdout']);
    expect(() => parseAttach(['stdlog'])).toThrow('invalid argument "stdlog" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR');
  });

  it('checkPullPolicy accepts always, missing and never', () => {
    expect(checkPullPolicy(undefined)).toBeUndefined();
    expect(checkPullPolicy('never')).toBe('never');
    expect(() => checkPullPolicy('newer')).toThrow(`invalid pull option: 'newer': must be one of "always", "missing" or "never"`);
  });
});
