// Asserts that patterns occur in a log in this order, each after the end of the one before.
import { expect } from 'vitest';

export function expectInOrder(text: string, patterns: readonly RegExp[]): void {
  let from = 0;
  for (const pattern of patterns) {
    const match = pattern.exec(text.slice(from));
    expect(match, `${pattern} after offset ${from}`).not.toBeNull();
    from += match!.index + match![0].length;
  }
}
