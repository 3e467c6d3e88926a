// The README's layout section is the one rendered from the floors, and names every folder of harness/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FLOORS } from './floors.ts';
import { FOLDER_ROLES, withLayout } from './layout-table.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

describe("the README's layout section", () => {
  it('is rendered from the floors (regenerate with: npm run docs:layout)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme, 'README.md layout section is out of date: run `npm run docs:layout`').toBe(withLayout(readme));
  });

  it('gives every folder of every floor a role', () => {
    for (const folder of FLOORS.flatMap((floor) => floor.folders)) expect(FOLDER_ROLES[folder], folder).toBeTruthy();
  });
});
