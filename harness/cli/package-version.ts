// pilot's version, as package.json states it: one number for npm, `pilot --version` and bug reports.
import { readFile } from 'node:fs/promises';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

export async function packageVersion(): Promise<string> {
  const { version } = JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string };
  return version;
}
