// pilot's patterns as POSIX extended regexes for busybox `grep -E`. JavaScript regex features ERE lacks (lookaround,
// \b, back-references, lazy quantifiers) are reported, never approximated: a looser regex could let an `absent` pass.
import { parseSlashRegex, regexProblem } from '../../config/text-pattern.ts';

export type EreResult = { ere: string; ignoreCase: boolean } | { problem: string };

const CLASS_SHORTHANDS: Record<string, { outside: string; inside: string | undefined }> = {
  d: { outside: '[0-9]', inside: '0-9' },
  D: { outside: '[^0-9]', inside: undefined },
  s: { outside: '[[:space:]]', inside: '[:space:]' },
  S: { outside: '[^[:space:]]', inside: undefined },
  w: { outside: '[[:alnum:]_]', inside: '[:alnum:]_' },
  W: { outside: '[^[:alnum:]_]', inside: undefined },
};
const ERE_SPECIAL = '.^$*+?()[]{}|\\';

/** Literal text as an ERE matching exactly that text. */
export function literalEre(text: string): string {
  return [...text].map((char) => (ERE_SPECIAL.includes(char) ? `\\${char}` : char)).join('');
}

/** A JavaScript regex source (no flags) as an ERE, or why it cannot be one. */
export function jsRegexToEre(source: string): { ere: string } | { problem: string } {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\') {
      const next = source[++i];
      if (next === undefined) return { problem: 'a trailing backslash' };
      const shorthand = CLASS_SHORTHANDS[next];
      if (shorthand) out += shorthand.outside;
      else if (ERE_SPECIAL.includes(next)) out += `\\${next}`;
      else if ('/-:,=!<>@#%&~`\'" '.includes(next)) out += next;
      else return { problem: `\\${next} has no POSIX ERE equivalent` };
    } else if (char === '(' && source[i + 1] === '?') {
      if (source[i + 2] !== ':') return { problem: 'lookaround and named groups have no POSIX ERE equivalent' };
      out += '(';
      i += 2;
    } else if ('*+?}'.includes(char) && source[i + 1] === '?') {
      return { problem: 'lazy quantifiers have no POSIX ERE equivalent' };
    } else if (char === '[') {
      const end = bracketEnd(source, i);
      if (typeof end !== 'number') return end;
      const converted = bracketToEre(source.slice(i + 1, end));
      if (typeof converted !== 'string') return converted;
      out += `[${converted}]`;
      i = end;
    } else out += char;
  }
  return { ere: out };
}

function bracketEnd(source: string, open: number): number | { problem: string } {
  let i = open + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') return { problem: 'a character class starting with ]' };
  for (; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return { problem: 'an unclosed character class' };
}

/** Inside POSIX brackets a backslash is literal, so JavaScript escapes are rewritten or refused. */
function bracketToEre(body: string): string | { problem: string } {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[++i]!;
    const shorthand = CLASS_SHORTHANDS[next];
    if (shorthand?.inside) out += shorthand.inside;
    else if ('.*+?(){}|$/:,=!@#%&~'.includes(next)) out += next;
    else return { problem: `\\${next} inside a character class has no POSIX bracket equivalent` };
  }
  return out;
}

/** A `matches` entry: a regex, no flags. */
export function regexEre(source: string): EreResult {
  const converted = jsRegexToEre(source);
  return 'problem' in converted ? { problem: `/${source}/: ${converted.problem}` } : { ere: converted.ere, ignoreCase: false };
}

/**
 * A text pattern (absent, in-order, count, Iris lines): /source/flags is a regex only; other text matches when a
 * line contains it or matches it as a regex, so the ERE is the alternation of both readings.
 */
export function textPatternEre(pattern: string): EreResult {
  const slash = parseSlashRegex(pattern);
  if (slash) {
    const converted = jsRegexToEre(slash.source);
    if ('problem' in converted) return { problem: `${pattern}: ${converted.problem}` };
    return { ere: converted.ere, ignoreCase: slash.flags.includes('i') };
  }
  const literal = literalEre(pattern);
  if (literal === pattern || regexProblem(pattern) !== undefined) return { ere: literal, ignoreCase: false };
  const converted = jsRegexToEre(pattern);
  if ('problem' in converted) return { problem: `"${pattern}" read as a regex: ${converted.problem}` };
  return { ere: converted.ere === literal ? literal : `${literal}|${converted.ere}`, ignoreCase: false };
}
