// Finds the error codes a source text writes and checks them against the catalogue; error-codes.test.ts runs it on harness/.

/**
 * A code is a whole string literal: E_ or F_, then capitals and digits in words joined by single underscores.
 * Any quote mark counts, so a code written in double quotes or backticks cannot slip past the check.
 */
const CODE_LITERAL = /(['"`])([EF]_[A-Z0-9]+(?:_[A-Z0-9]+)*)\1/g;

export interface CodeUse {
  file: string;
  line: number;
  code: string;
}

export interface CatalogueCheck {
  /** Codes the source uses that the catalogue lacks. */
  unknown: CodeUse[];
  /** Catalogue entries nothing uses any more. */
  stale: string[];
}

export function findCodeUses(file: string, source: string): CodeUse[] {
  return source.split('\n').flatMap((text, index) => [...text.matchAll(CODE_LITERAL)].map((match) => ({ file, line: index + 1, code: match[2]! })));
}

export function checkAgainstCatalogue(uses: readonly CodeUse[], catalogued: readonly string[]): CatalogueCheck {
  const known = new Set(catalogued);
  const used = new Set(uses.map((use) => use.code));
  return {
    unknown: uses.filter((use) => !known.has(use.code)),
    stale: catalogued.filter((code) => !used.has(code)),
  };
}

/** One line per problem, naming where to look, so a failing test says what to fix without a debugger. */
export function describeProblems(check: CatalogueCheck, catalogueFile: string): string[] {
  return [
    ...check.unknown.map((use) => `${use.file}:${use.line}: ${use.code} is not in ${catalogueFile}`),
    ...check.stale.map((code) => `${catalogueFile}: ${code} is catalogued but nothing uses it any more`),
  ];
}
