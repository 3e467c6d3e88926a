// Expands scenarios into runs: one per scenario and profile, optionally narrowed to the profiles asked for on the command line.
import { InputError } from '../core/errors.ts';
import type { ProfileName } from '../model/profile.ts';
import type { LoadedScenario } from './load.ts';

export interface MatrixRun {
  /** `<scenario>@<profile>`, unique in a run. */
  id: string;
  scenario: LoadedScenario;
  profile: ProfileName;
}

export function runId(scenario: string, profile: ProfileName): string {
  return `${scenario}@${profile}`;
}

/** Runs in scenario order, each scenario's profiles in the order it lists them; `only` (empty = all) narrows the profiles. */
export function expandMatrix(scenarios: ReadonlyArray<LoadedScenario>, only: ReadonlyArray<ProfileName> = []): MatrixRun[] {
  const named = new Set(scenarios.flatMap((scenario) => scenario.profiles));
  const unused = only.filter((profile) => !named.has(profile));
  if (unused.length) {
    const plural = unused.length === 1 ? 'profile' : 'profiles';
    throw new InputError(
      'E_PROFILE_UNUSED',
      `--profile ${unused.join(', ')}: no scenario runs on that ${plural} (the scenarios given name ${[...named].join(', ') || 'none'})`,
    );
  }
  return scenarios.flatMap((scenario) =>
    scenario.profiles
      .filter((profile) => only.length === 0 || only.includes(profile))
      .map((profile) => ({ id: runId(scenario.name, profile), scenario, profile })),
  );
}
