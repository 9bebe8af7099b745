// The pool's balancer: the least busy thread that is up and has room (an idle
// one first); none — so piscina starts a thread or queues — when all are full.
import { describe, expect, it } from 'vitest';
import { packingBalancer } from '../../src/workers/pool-balancer.js';

const task = { isAbortable: false };
const w = (currentUsage: number, isRunningAbortableTask = false) => ({ currentUsage, isRunningAbortableTask });

describe('packingBalancer', () => {
  const pick = packingBalancer(3);

  it('gives a task to an idle thread first', () => {
    const idle = w(0);
    expect(pick(task, [w(2), idle])).toBe(idle);
  });

  it('shares a busy thread that has room rather than asking for a new one', () => {
    const one = w(1);
    expect(pick(task, [one])).toBe(one);
    const light = w(1);
    expect(pick(task, [w(2), light])).toBe(light);
  });

  it('asks for none when every thread is full', () => {
    expect(pick(task, [w(3), w(3)])).toBeNull();
    expect(pick(task, [])).toBeNull();
  });

  it('keeps abortable tasks and threads running one to themselves', () => {
    expect(pick(task, [w(1, true), w(3)])).toBeNull();
    expect(pick({ isAbortable: true }, [w(1), w(1)])).toBeNull();
    const idle = w(0);
    expect(pick({ isAbortable: true }, [w(1), idle])).toBe(idle);
  });
});
