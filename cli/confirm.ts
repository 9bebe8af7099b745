// Docker's "Are you sure you want to continue? [y/N]" prompt: on a terminal
// it asks; otherwise it reads the answer from stdin (no input means no).
import { createInterface } from 'node:readline';

export async function confirm(warning: string): Promise<boolean> {
  process.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      let done = false;
      rl.once('line', (line) => { done = true; resolve(line); });
      rl.once('close', () => { if (!done) resolve(''); });
    });
    if (!process.stdin.isTTY) process.stdout.write('\n');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
