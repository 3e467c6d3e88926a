// Runs work items with at most `jobs` in flight; after an abort no new item starts, and the rest are handed back unstarted.

export interface PoolOutcome<T, R> {
  results: Array<R | undefined>;
  /** Items never started because the signal aborted first. */
  unstarted: T[];
}

export async function runPool<T, R>(
  items: ReadonlyArray<T>,
  jobs: number,
  worker: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<PoolOutcome<T, R>> {
  const results: Array<R | undefined> = new Array(items.length).fill(undefined);
  const unstarted: T[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index]!;
      if (signal?.aborted) {
        unstarted.push(item);
        continue;
      }
      results[index] = await worker(item, index);
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, lane);
  await Promise.all(lanes);
  return { results, unstarted };
}
