// Quotes words for a POSIX shell, for commands pilot hands to `sh -c` on the host or the guest and for scripts it writes.

/** Words made only of these characters mean the same to a shell bare, so they stay readable in logs. */
const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** One word as the shell must see it: bare when safe, else in single quotes (a quote inside becomes '\''). */
export function shellWord(word: string): string {
  return SAFE_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line from its words, e.g. to paste into a terminal and run again by hand. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}
