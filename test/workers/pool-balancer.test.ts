// The pool's balancer: an idle thread first, then a new thread while below
// the maximum, then the least busy thread with room; never past the limit.
import { describe, expect, it } from 'vitest';
import { spreadingBalancer } from '../../src/workers/pool-balancer.js';

const task = { isAbortable: false };
const w = (currentUsage: number, isRunningAbortableTask = false) => ({ currentUsage, isRunningAbortableTask });

describe('spreadingBalancer', () => {
  const pick = spreadingBalancer(2, 3);

  it('gives a task to an idle thread', () => {
    const idle = w(0);
    expect(pick(task, [w(2), idle])).toBe(idle);
  });

  it('asks for another thread rather than sharing a busy one while below the maximum', () => {
    expect(pick(task, [w(1)])).toBeNull();
  });

  it('at the maximum, shares the least busy thread that has room, and none when all are full', () => {
    const light = w(1);
    expect(pick(task, [w(2), light])).toBe(light);
    expect(pick(task, [w(3), w(3)])).toBeNull();
  });

  it('keeps abortable tasks and threads running one to themselves', () => {
    expect(pick(task, [w(1, true), w(3)])).toBeNull();
    expect(pick({ isAbortable: true }, [w(1), w(1)])).toBeNull();
  });
});
