// `pilot run --kcidb` on real machines: a passing and a failing run become a KCIDB document the published schema accepts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { kcidbValidator } from '../report/kcidb/kcidb-validator.ts';
import { artifactsBase, startPilot } from './support/pilot-cli.ts';

it('writes a valid KCIDB document whose statuses are the runs\' own', { timeout: 300_000 }, async () => {
  const base = await artifactsBase();
  const out = join(base, 'kcidb.json');
  const result = await startPilot(['run', 'scenarios/boot-el1.yaml', 'test/fixtures/integration/absent-boot-line.yaml', '--kcidb', out, '--artifacts', base]);
  expect(result.exitCode, result.all).toBe(1);
  const document = JSON.parse(await readFile(out, 'utf8'));
  expect(kcidbValidator()(document)).toEqual([]);
  const runTests = Object.fromEntries(
    (document.tests as Array<{ path: string; status: string }>).filter((test) => test.path.split('.').length === 2).map((test) => [test.path, test.status]),
  );
  expect(runTests).toEqual({ 'pilot.boot-el1': 'PASS', 'pilot.absent-boot-line': 'FAIL' });
  expect(document.builds).toHaveLength(1);
  expect(document.builds[0].misc.release).toMatch(/^6\.1\.0-\d+-arm64$/);
});
