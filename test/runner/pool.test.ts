import { describe, expect, it } from 'vitest';
import { runPool } from '../../harness/runner/pool.ts';

describe('runPool', () => {
  it('never has more than `jobs` in flight and keeps result order', async () => {
    let inFlight = 0;
    let peak = 0;
    const { results } = await runPool([30, 10, 20, 5, 15], 2, async (ms) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return ms * 2;
    });
    expect(peak).toBe(2);
    expect(results).toEqual([60, 20, 40, 10, 30]);
  });

  it('starts nothing new after an abort and hands back the unstarted items', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const outcome = await runPool([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 2) controller.abort();
      return n;
    }, controller.signal);
    expect(started).toEqual([1, 2]);
    expect(outcome.unstarted).toEqual([3, 4]);
    expect(outcome.results).toEqual([1, 2, undefined, undefined]);
  });
});
