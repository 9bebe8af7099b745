// Placeholder for an invoked actor whose implementation a machine leaves to
// its host (src/actors/*). Keeps machines pure: a machine run without its
// implementations fails loudly instead of doing I/O.
import { fromPromise } from 'xstate';

export function unprovided<TOutput, TInput>(machine: string, name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(`${machine} machine: actor '${name}' was not provided`);
  });
}
