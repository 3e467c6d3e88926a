import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../harness/core/errors.ts';
import { applyPatches, describePatchFailure } from '../../../harness/images/kernel-tree/patches.ts';
import { rejectionOf } from '../../fakes/rejection.ts';

const ORIGINAL = ['int a;', 'int b;', 'int c;', 'int d;', 'int e;', 'int f;', 'int g;', 'int h;', 'int i;', 'int j;', ''].join('\n');

async function tinyTree(): Promise<{ tree: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pilot-patch-'));
  const tree = join(dir, 'linux');
  await mkdir(join(tree, 'drivers'), { recursive: true });
  writeFileSync(join(tree, 'drivers/x.c'), ORIGINAL);
  return { tree, dir };
}

const GOOD = `A description that patch(1) skips.

--- a/drivers/x.c
+++ b/drivers/x.c
@@ -1,3 +1,3 @@
 int a;
-int b;
+long b;
 int c;
`;
const SECOND_HUNK_BAD = `--- a/drivers/x.c
+++ b/drivers/x.c
@@ -1,3 +1,3 @@
 int a;
-int b;
+long b;
 int c;
@@ -7,3 +7,3 @@
 int g;
-int nothing_like_this;
+long h;
 int i;
`;
const MISSING_FILE = `--- a/drivers/y.c
+++ b/drivers/y.c
@@ -1 +1 @@
-int a;
+long a;
`;

describe('applyPatches', () => {
  it('applies patches in order with -p1', async () => {
    const { tree, dir } = await tinyTree();
    writeFileSync(join(dir, '0001.patch'), GOOD);
    writeFileSync(join(dir, '0002.patch'), GOOD.replace('-int b;\n+long b;', '-long b;\n+short b;').replace('A description that patch(1) skips.\n\n', ''));
    const seen: string[] = [];
    await applyPatches(tree, [join(dir, '0001.patch'), join(dir, '0002.patch')], undefined, (patch) => seen.push(patch));
    expect(readFileSync(join(tree, 'drivers/x.c'), 'utf8')).toBe(ORIGINAL.replace('int b;', 'short b;'));
    expect(seen).toEqual([join(dir, '0001.patch'), join(dir, '0002.patch')]);
  });

  it('names the patch, the file and the hunk that fail, and leaves the tree as it was', async () => {
    const { tree, dir } = await tinyTree();
    writeFileSync(join(dir, 'bad.patch'), SECOND_HUNK_BAD);
    const error = await rejectionOf(applyPatches(tree, [join(dir, 'bad.patch')]), InputError);
    expect(error.code).toBe('E_KERNEL_TREE_PATCH');
    expect(error.message).toBe('patch bad.patch does not apply: drivers/x.c: hunk #2 FAILED at line 7');
    expect(error.hint).toContain(join(dir, 'bad.patch'));
    expect(readFileSync(join(tree, 'drivers/x.c'), 'utf8')).toBe(ORIGINAL);
  });

  it('says so when the file to patch does not exist, or the patch is already in', async () => {
    const { tree, dir } = await tinyTree();
    writeFileSync(join(dir, 'missing.patch'), MISSING_FILE);
    expect((await rejectionOf(applyPatches(tree, [join(dir, 'missing.patch')]), InputError)).message).toMatch(/^patch missing\.patch does not apply: .*(can't find file to patch|No file to patch)/);
    writeFileSync(join(dir, 'good.patch'), GOOD);
    await applyPatches(tree, [join(dir, 'good.patch')]);
    expect((await rejectionOf(applyPatches(tree, [join(dir, 'good.patch')]), InputError)).message).toMatch(/Reversed \(or previously applied\) patch detected/);
  });
});

describe('describePatchFailure', () => {
  it('collects every failed hunk with its file', () => {
    const output = ['checking file drivers/a.c', 'Hunk #1 FAILED at 10.', 'checking file drivers/b.c', 'Hunk #3 FAILED at 99 (different line endings).', '2 out of 4 hunks FAILED'].join('\n');
    expect(describePatchFailure(output).summary).toBe('drivers/a.c: hunk #1 FAILED at line 10; drivers/b.c: hunk #3 FAILED at line 99');
  });
});
