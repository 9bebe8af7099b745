// Maps a runtime's error text to a typed error. runc, crun and berth-runtime
// all report a missing or non-executable command with Go-style exec errors.
import { BerthError } from '../errors.js';

export function runtimeError(message: string): BerthError {
  if (/executable file not found|no such file or directory/i.test(message) && /exec/i.test(message)) {
    return new BerthError('command_not_found', message);
  }
  if (/exec:.*permission denied/i.test(message)) {
    return new BerthError('command_not_executable', message);
  }
  return new BerthError('runtime_error', message);
}
