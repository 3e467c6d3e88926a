// A scenario's own `known-issues:` entries, tied to the scenario and to where each was written.
import type { ConfigProblem } from '../config/problem.ts';
import type { DataPath, SourcePosition } from '../config/yaml-source.ts';
import { KNOWN_ISSUES_KEY, knownIssueOf, type KnownIssue, type ScenarioKnownIssueEntry } from '../config/known-issue-schema.ts';

export function scenarioKnownIssues(
  entries: ReadonlyArray<ScenarioKnownIssueEntry> | undefined,
  scenario: string,
  file: string,
  locate: (path: DataPath) => SourcePosition,
): { issues: KnownIssue[]; problems: ConfigProblem[] } {
  const issues: KnownIssue[] = [];
  const problems: ConfigProblem[] = [];
  (entries ?? []).forEach((entry, index) => {
    if (entry.scenario !== undefined && entry.scenario !== scenario) {
      const at = locate([KNOWN_ISSUES_KEY, index, 'scenario']);
      problems.push({
        file,
        ...at,
        path: `${KNOWN_ISSUES_KEY}[${index}].scenario`,
        message: `an entry in scenario '${scenario}' can only be about that scenario, got '${entry.scenario}' (put it in that scenario or the shared known-issues file)`,
      });
      return;
    }
    issues.push(knownIssueOf(entry, scenario, { file, ...locate([KNOWN_ISSUES_KEY, index]) }));
  });
  return { issues, problems };
}
