// Reads the shared known-issues file with the scenario loader's YAML positions and messages, and gathers scenarios' own entries.
import { stat } from 'node:fs/promises';
import { InputError } from '../core/errors.ts';
import { formatDataPath, placeIssues, scenarioErrorMap } from '../config/zod-problems.ts';
import { type LoadedScenario } from '../scenario/load.ts';
import { ConfigLoadError, formatProblem, type ConfigProblem } from '../config/problem.ts';
import { documentData, parseYamlSource } from '../config/yaml-source.ts';
import { readConfigText } from '../config/config-text.ts';
import { KNOWN_ISSUES_KEY, knownIssueOf, knownIssuesFileSchema, type KnownIssue } from '../config/known-issue-schema.ts';

/** Read when no --known-issues flag is given and the file exists in the working folder. */
export const DEFAULT_KNOWN_ISSUES_FILE = 'known-issues.yaml';

export class KnownIssuesLoadError extends ConfigLoadError {
  constructor(problems: ConfigProblem[]) {
    super('E_KNOWN_ISSUES_INVALID', 'known-issues file has', problems);
  }
}

/** Parses one known-issues file's text; every problem at once, as file:line:col. */
export function parseKnownIssues(text: string, file: string): KnownIssue[] {
  const source = parseYamlSource(text);
  const problem = (line: number, column: number, path: string, message: string): ConfigProblem => ({ file, line, column, path, message });
  if (source.document.errors.length) {
    throw new KnownIssuesLoadError(
      source.document.errors.map((error) => {
        const at = source.positionOf(error.pos[0]);
        return problem(at.line, at.column, '', `YAML: ${error.message.split('\n')[0]!.trim()}`);
      }),
    );
  }
  const expanded = documentData(source);
  if (expanded.problem) throw new KnownIssuesLoadError([problem(expanded.problem.position.line, expanded.problem.position.column, '', expanded.problem.message)]);
  const data = expanded.data;
  // An empty file, or one whose list is empty, lists nothing: a valid state once every issue is fixed.
  if (data === null || data === undefined) return [];
  const result = knownIssuesFileSchema.safeParse(data, { error: scenarioErrorMap });
  if (!result.success) {
    const placed = placeIssues(result.error.issues, { data, stepKinds: [], stepCommonKeys: [] });
    throw new KnownIssuesLoadError(
      placed
        .map((item) => {
          const at = source.locate(item.path, item.placement);
          return problem(at.line, at.column, formatDataPath(item.path), item.message);
        })
        .sort((a, b) => a.line - b.line || a.column - b.column),
    );
  }
  return result.data[KNOWN_ISSUES_KEY].map((entry, index) => knownIssueOf(entry, entry.scenario, { file, ...source.locate([KNOWN_ISSUES_KEY, index]) }));
}

/**
 * The shared file: `path` when given (it must exist), else known-issues.yaml in the working folder when there is one,
 * else none. Called before anything boots, so a typo costs seconds.
 */
export async function loadKnownIssues(path?: string, defaultPath = DEFAULT_KNOWN_ISSUES_FILE): Promise<KnownIssue[]> {
  const file = path ?? defaultPath;
  const exists = await stat(file).then((info) => info.isFile(), () => false);
  if (!exists) {
    if (path === undefined) return [];
    throw new InputError('E_KNOWN_ISSUES_NOT_FOUND', `--known-issues: no such file: ${path}`);
  }
  const read = await readConfigText(file);
  if (read.problem) throw new KnownIssuesLoadError([read.problem]);
  return parseKnownIssues(read.text, file);
}

/** Entries written in the scenarios themselves, in scenario order. */
export function knownIssuesOfScenarios(scenarios: ReadonlyArray<LoadedScenario>): KnownIssue[] {
  return scenarios.flatMap((scenario) => scenario.knownIssues ?? []);
}
