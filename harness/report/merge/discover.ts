// Finds the results.json files `pilot merge` was pointed at: files as given, folders searched (never through `latest`).
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { RESULTS_JSON } from '../../model/artifact-names.ts';

const RESULTS_FILE = RESULTS_JSON;
/** Shard folders are <base>/<timestamp>/results.json, and CI downloads nest them one or two folders deeper. */
const MAX_DEPTH = 4;

export async function findResultsFiles(inputs: ReadonlyArray<string>): Promise<string[]> {
  if (inputs.length === 0) throw new InputError('E_MERGE_INPUT', 'name the shard folders or results.json files to merge');
  const files: string[] = [];
  const empty: string[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) missing.push(input);
    else if (!info.isDirectory()) files.push(input);
    else {
      const found = await searchFolder(input, 0);
      if (found.length === 0) empty.push(input);
      files.push(...found);
    }
  }
  if (missing.length) throw new InputError('E_MERGE_INPUT', `no such file or folder: ${missing.join(', ')}`);
  if (empty.length) throw new InputError('E_MERGE_INPUT', `no ${RESULTS_FILE} under ${empty.join(', ')} (did the shard job keep its artifacts?)`);
  // The same file named twice (a folder and the file in it) is one shard, not a duplicate.
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const file of files) {
    const real = await realpath(file);
    if (!seen.has(real)) unique.push(file);
    seen.add(real);
  }
  return unique;
}

/** A folder holding results.json is one shard's; otherwise its sub-folders are searched, `latest` links left out. */
async function searchFolder(folder: string, depth: number): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  if (entries.some((entry) => entry.isFile() && entry.name === RESULTS_FILE)) return [join(folder, RESULTS_FILE)];
  if (depth >= MAX_DEPTH) return [];
  const found: string[] = [];
  // `latest` points at a timestamped folder found anyway; CI uploads often turn the link into a copy.
  const folders = entries.filter((entry) => entry.isDirectory() && entry.name !== 'latest').map((entry) => entry.name).sort();
  for (const name of folders) found.push(...(await searchFolder(join(folder, name), depth + 1)));
  return found;
}
