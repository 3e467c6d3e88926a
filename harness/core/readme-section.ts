// A generated section of README.md: the text between a begin and an end marker, read and rewritten in place.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));

export interface ReadmeMarkers {
  begin: string;
  end: string;
}

/** The text between the markers, or undefined when the README has no such section. */
export function readSection(readme: string, markers: ReadmeMarkers): string | undefined {
  const span = sectionSpan(readme, markers);
  return span && readme.slice(span.from + markers.begin.length, span.to).replace(/^\n/, '').replace(/\n$/, '');
}

/** The README with its section replaced by `body`; the markers must already be there, so the section stays where it was put. */
export function withSection(readme: string, markers: ReadmeMarkers, body: string): string {
  const span = sectionSpan(readme, markers);
  if (!span) throw new Error(`README.md has no ${markers.begin} … ${markers.end} section`);
  return `${readme.slice(0, span.from)}${markers.begin}\n${body}\n${readme.slice(span.to)}`;
}

function sectionSpan(readme: string, markers: ReadmeMarkers): { from: number; to: number } | undefined {
  const from = readme.indexOf(markers.begin);
  const to = readme.indexOf(markers.end, from);
  return from < 0 || to < 0 ? undefined : { from, to };
}

/** For the docs:* scripts: rewrites README.md's section and says whether anything changed. */
export async function rewriteReadmeSection(markers: ReadmeMarkers, body: string, what: string): Promise<void> {
  const readme = await readFile(README_PATH, 'utf8');
  const updated = withSection(readme, markers, body);
  if (updated === readme) process.stdout.write(`README.md: ${what} is up to date\n`);
  else {
    await writeFile(README_PATH, updated);
    process.stdout.write(`README.md: rewrote ${what}\n`);
  }
}
