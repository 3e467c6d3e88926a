// Durations in scenarios and flags are written like "30s", "3m", "1m30s", "500ms" or a bare number of seconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  PART.lastIndex = 0;
  let total = 0;
  let matched = 0;
  let part: RegExpExecArray | null;
  while ((part = PART.exec(trimmed)) !== null) {
    total += Number(part[1]) * UNIT_MS[part[2]!]!;
    matched = PART.lastIndex;
  }
  return matched === trimmed.length && matched > 0 ? total : undefined;
}
