// `npm run docs:layout`: rewrites the README's layout section from the floors.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withLayout } from './layout-table.ts';

const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
writeFileSync(readme, withLayout(readFileSync(readme, 'utf8')));
