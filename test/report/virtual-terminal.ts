// Just enough of a VT100 to replay the console reporter's output and read back what a user would see.
export class VirtualTerminal {
  private rows: string[][] = [[]];
  private row = 0;
  private column = 0;
  /** Escape sequences the terminal did not understand; a test should expect none. */
  readonly unknown: string[] = [];

  constructor(private readonly columns = 80) {}

  write(data: string): void {
    const chars = [...data];
    for (let i = 0; i < chars.length; i++) {
      const char = chars[i]!;
      if (char === '\x1b') {
        const rest = chars.slice(i, i + 24).join('');
        const match = /^\x1b\[(\??)([\d;]*)([A-Za-z])/.exec(rest);
        if (!match) {
          this.unknown.push(rest.slice(0, 8));
          continue;
        }
        this.control(match[1]!, match[2]!, match[3]!);
        i += [...match[0]].length - 1;
      } else if (char === '\n') {
        // A tty's onlcr turns LF into CR LF.
        this.moveTo(this.row + 1, 0);
      } else if (char === '\r') {
        this.column = 0;
      } else {
        if (this.column >= this.columns) this.moveTo(this.row + 1, 0);
        this.line()[this.column++] = char;
      }
    }
  }

  /** The visible lines, without trailing blanks. */
  screen(): string[] {
    const lines = this.rows.map((cells) => Array.from(cells, (c) => c ?? ' ').join('').trimEnd());
    while (lines.length && lines.at(-1) === '') lines.pop();
    return lines;
  }

  private control(privateMarker: string, parameter: string, command: string): void {
    const count = parameter === '' ? 1 : Number(parameter);
    if (privateMarker === '?' && (command === 'h' || command === 'l')) return;
    if (command === 'm') return;
    if (command === 'A') this.row = Math.max(0, this.row - count);
    else if (command === 'K') this.line().length = Math.min(this.line().length, this.column);
    else if (command === 'J') {
      this.line().length = Math.min(this.line().length, this.column);
      this.rows.length = this.row + 1;
    } else this.unknown.push(`CSI ${privateMarker}${parameter}${command}`);
  }

  private moveTo(row: number, column: number): void {
    this.row = row;
    this.column = column;
    this.line();
  }

  private line(): string[] {
    while (this.rows.length <= this.row) this.rows.push([]);
    return this.rows[this.row]!;
  }
}
