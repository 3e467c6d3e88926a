// lava-run's log: one YAML flow mapping per line ({dt, lvl, msg}); `results` records are the dispatcher's own verdicts,
// so test-case results come from them rather than from the LAVA_SIGNAL lines the target printed.
import { parse } from 'yaml';

export interface LavaLogRecord {
  dt: string;
  lvl: string;
  msg: unknown;
}

export interface LavaResult {
  /** Test definition as LAVA names it: `lava` for its own actions, `<index>_<name>` for a test definition. */
  definition: string;
  case: string;
  result: string;
}

/** Records in order; lines that are not records (a Python traceback, a shell's echo) are skipped. */
export function parseLavaLog(text: string): LavaLogRecord[] {
  const records: LavaLogRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let value: unknown;
    try {
      value = parse(line);
    } catch {
      continue;
    }
    if (value && typeof value === 'object' && 'lvl' in value && 'msg' in value) records.push(value as LavaLogRecord);
  }
  return records;
}

export function lavaResults(records: LavaLogRecord[]): LavaResult[] {
  return records.flatMap((record) => {
    if (record.lvl !== 'results' || !record.msg || typeof record.msg !== 'object') return [];
    const msg = record.msg as Record<string, unknown>;
    if (typeof msg.case !== 'string' || typeof msg.definition !== 'string' || typeof msg.result !== 'string') return [];
    return [{ definition: msg.definition, case: msg.case, result: msg.result }];
  });
}

/** The results of test definition `name` in the order reported (LAVA prefixes its position: `0_pilot-boot-el1`). */
export function testDefinitionResults(results: LavaResult[], name: string): Array<{ case: string; result: string }> {
  const definition = new RegExp(`^\\d+_${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return results.filter((result) => definition.test(result.definition)).map((result) => ({ case: result.case, result: result.result }));
}

/** What the device printed on its console, one line per record. */
export function targetLines(records: LavaLogRecord[]): string[] {
  return records.filter((record) => record.lvl === 'target' && typeof record.msg === 'string').map((record) => record.msg as string);
}
