// Reads every relative import under harness/ (static, dynamic and type-only) so the layering can be checked from the code itself.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportEdge {
  /** Importing file, relative to the harness root, with forward slashes. */
  from: string;
  /** Imported file, relative to the harness root. */
  to: string;
  /** 1-based line of the import in `from`. */
  line: number;
  /** The specifier as written. */
  specifier: string;
}

const IMPORT_PATTERNS = [
  /\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  /^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm,
];

export function listSourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** Every relative import in one file's text; `file` is relative to `root`. */
export function importsOf(root: string, file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1]!;
      const target = toPosix(relative(root, resolve(root, dirname(file), specifier)));
      edges.push({ from: file, to: target, line: lineAt(match.index ?? 0), specifier });
    }
  }
  return edges;
}

export function importGraph(root: string): ImportEdge[] {
  return listSourceFiles(root).flatMap((path) => importsOf(root, toPosix(relative(root, path)), readFileSync(path, 'utf8')));
}
