// Maps a path inside a parsed YAML document back to the line and column the user wrote it at.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';

export type DataPath = ReadonlyArray<string | number>;

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** key: the key of the last path segment (unknown keys); value: the value at the path (bad values, missing keys fall back to the parent). */
export type Placement = 'key' | 'value';

export interface YamlSource {
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** Where `path` was written; the nearest existing ancestor when part of it is missing. */
  locate(path: DataPath, placement?: Placement): SourcePosition;
  positionOf(offset: number): SourcePosition;
}

export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const positionOf = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    document,
    lineCounter,
    positionOf,
    locate: (path, placement = 'value') => positionOf(locateOffset(document, path, placement)),
  };
}

function locateOffset(document: Document.Parsed, path: DataPath, placement: Placement): number {
  let node: unknown = document.contents;
  // The key under which the current node was found, so a missing child can point at its parent's key.
  let keyOffset: number | undefined;
  for (let index = 0; index < path.length; index++) {
    node = resolveAlias(document, node);
    const segment = path[index]!;
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item) === String(segment)) as Pair | undefined;
      if (!pair) return keyOffset ?? startOf(node) ?? 0;
      const pairKeyOffset = startOf(pair.key);
      if (last && placement === 'key') return pairKeyOffset ?? startOf(node) ?? 0;
      // An empty value (`key:`) has no node of its own; its key is the best place to point at.
      if (pair.value === null || pair.value === undefined) return pairKeyOffset ?? startOf(node) ?? 0;
      keyOffset = pairKeyOffset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined || item === null) return keyOffset ?? startOf(node) ?? 0;
      keyOffset = startOf(item);
      node = item;
    } else {
      return startOf(node) ?? keyOffset ?? 0;
    }
  }
  return startOf(resolveAlias(document, node)) ?? keyOffset ?? 0;
}

function resolveAlias(document: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

function keyText(pair: Pair): string {
  const key = pair.key;
  return isScalar(key) ? String(key.value) : String(key);
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** Aliases may expand to at most this many nodes: enough for any real file, and an alias bomb stops at once. */
export const MAX_ALIAS_COUNT = 1000;

/** The document as plain data, or where and why it could not be expanded (the yaml package throws a bare ReferenceError for alias bombs). */
export function documentData(source: YamlSource): { data: unknown; problem?: undefined } | { data?: undefined; problem: { position: SourcePosition; message: string } } {
  try {
    return { data: source.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const offset = firstAliasOffset(source.document) ?? 0;
    return {
      problem: {
        position: source.positionOf(offset),
        message: `YAML aliases expand past ${MAX_ALIAS_COUNT} nodes (an alias bomb?); write the values out or use fewer nested aliases`,
      },
    };
  }
}

/** Offset of the first alias node in the document, to point the problem at. */
function firstAliasOffset(document: Document.Parsed): number | undefined {
  let found: number | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || node === null || node === undefined) return;
    if (isAlias(node)) {
      found = startOf(node);
      return;
    }
    if (isMap(node) || isSeq(node)) for (const item of node.items) visit(item);
    else if (isPair(node)) {
      visit(node.key);
      visit(node.value);
    }
  };
  visit(document.contents);
  return found;
}
