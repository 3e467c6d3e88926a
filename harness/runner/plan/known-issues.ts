// The known issues a run is judged against: the scenarios' own and the shared file's; expired ones are named, not dropped.
import type { KnownIssue } from '../../config/known-issue-schema.ts';
import { knownIssuesOfScenarios, loadKnownIssues } from '../../known-issues/load.ts';
import { describeExpired, expiredKnownIssues, todayUtc } from '../../known-issues/match.ts';
import type { LoadedScenario } from '../../scenario/load.ts';

/** `file` is --known-issues; without it known-issues.yaml is read when present. */
export async function gatherKnownIssues(scenarios: ReadonlyArray<LoadedScenario>, file: string | undefined, note: (line: string) => void): Promise<KnownIssue[]> {
  const issues = [...knownIssuesOfScenarios(scenarios), ...(await loadKnownIssues(file))];
  for (const issue of expiredKnownIssues(issues, todayUtc())) note(`pilot: ${describeExpired(issue)}`);
  return issues;
}
