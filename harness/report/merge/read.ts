// Reads shard results for merging, pointing each run's artifacts at where they now are when CI moved them.
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readResultsJson } from '../json.ts';
import type { ShardInput } from './merge.ts';

export async function readShards(files: ReadonlyArray<string>): Promise<ShardInput[]> {
  const shards: ShardInput[] = [];
  for (const file of files) {
    const document = await readResultsJson(file);
    shards.push({ file, document: { ...document, runs: await Promise.all(document.runs.map((run) => relocated(run, document.artifactsDir, file))) } });
  }
  return shards;
}

/**
 * A shard records absolute paths of the machine it ran on; a CI download puts the same folders somewhere else, next
 * to the results.json. The recorded path is kept when it still exists, and when nothing better is found.
 */
async function relocated<T extends { artifactsDir: string }>(run: T, shardRoot: string, resultsFile: string): Promise<T> {
  if (await exists(run.artifactsDir)) return run;
  const here = resolve(dirname(resultsFile));
  // Runs that never started point at the shard's root folder rather than a run folder.
  const candidate = run.artifactsDir === shardRoot ? here : join(here, basename(run.artifactsDir));
  return (await exists(candidate)) ? { ...run, artifactsDir: candidate } : run;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
