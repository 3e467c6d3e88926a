import { describe, expect, it } from 'vitest';
import { AbortedError, InfraError } from '../../harness/core/errors.ts';
import { DeadlineError, linkedAbort, race, sleep } from '../../harness/core/wait.ts';
import { parseDuration } from '../../harness/core/duration.ts';

const never = new Promise<never>(() => {});

describe('race', () => {
  it('returns the work when it settles first', async () => {
    await expect(race(Promise.resolve(7), 'x', { deadline: Date.now() + 1000 })).resolves.toBe(7);
  });

  it('leaves no unhandled rejection behind when the signal was already aborted and the work then fails', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const controller = new AbortController();
      controller.abort();
      const work = Promise.reject(new Error('Not connected'));
      await expect(race(work, 'opening a channel', { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('rejects at the deadline', async () => {
    await expect(race(never, 'the thing', { deadline: Date.now() + 20 })).rejects.toBeInstanceOf(DeadlineError);
  });

  it('lets the caller build the timeout error', async () => {
    await expect(race(never, 'x', { deadline: Date.now() + 5 }, () => new Error('custom'))).rejects.toThrow('custom');
  });

  it('rejects with the death reason when a dependency dies', async () => {
    const died = Promise.reject(new InfraError('E_QEMU_EXIT', 'QEMU exited with code 1'));
    await expect(race(never, 'x', { dies: [died], deadline: Date.now() + 1000 })).rejects.toThrow('QEMU exited');
  });

  it('rejects with AbortedError when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = race(never, 'ssh', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('rejects at once on an already aborted signal', async () => {
    await expect(race(Promise.resolve(1), 'x', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
  });

  it('lets the first of several reasons win', async () => {
    const controller = new AbortController();
    const verdict = expect(race(never, 'x', { signal: controller.signal, deadline: Date.now() + 10 })).rejects.toBeInstanceOf(DeadlineError);
    await new Promise((r) => setTimeout(r, 30));
    controller.abort();
    await verdict;
  });
});

describe('sleep and linkedAbort', () => {
  it('wakes early on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('aborts a child when a parent aborts, and detaches on dispose', () => {
    const parent = new AbortController();
    const child = linkedAbort(parent.signal);
    parent.abort(new Error('stop'));
    expect(child.signal.aborted).toBe(true);
    const other = new AbortController();
    const detached = linkedAbort(other.signal);
    detached.dispose();
    other.abort();
    expect(detached.signal.aborted).toBe(false);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['3m', 180_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2', 2000],
    [1.5, 1500],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['soon', '', '5 s', '3x', '-1'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
