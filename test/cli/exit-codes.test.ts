import { describe, expect, it } from 'vitest';
import { failureExitCode, usageExitCode } from '../../cli/exit-codes.js';
import { BerthError } from '../../src/errors.js';

describe('Docker exit codes', () => {
  it('run: 127 command not found, 126 not executable, 125 anything else', () => {
    expect(failureExitCode('run', new BerthError('command_not_found', 'x'))).toBe(127);
    expect(failureExitCode('run', new BerthError('command_not_executable', 'x'))).toBe(126);
    expect(failureExitCode('run', new BerthError('not_found', 'no such image'))).toBe(125);
    expect(failureExitCode('run', new BerthError('daemon_unavailable', 'down'))).toBe(125);
    expect(failureExitCode('run', new Error('plain'))).toBe(125);
    expect(failureExitCode('run', 'a string')).toBe(125);
  });

  it('other commands exit 1 whatever the error', () => {
    for (const cmd of ['ps', 'pull', 'images', 'rm', 'logs']) {
      expect(failureExitCode(cmd, new BerthError('command_not_found', 'x'))).toBe(1);
    }
  });

  it('usage errors: 125 for run, 1 otherwise', () => {
    expect(usageExitCode('run')).toBe(125);
    expect(usageExitCode('ps')).toBe(1);
    expect(usageExitCode(undefined)).toBe(1);
  });
});
