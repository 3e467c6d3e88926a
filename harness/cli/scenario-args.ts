// The flags and paths every matrix command shares: --profile, and the scenario files, all checked before anything boots.
import { InputError } from '../core/errors.ts';
import { listOverlays } from '../images/devicetree/overlays.ts';
import { PROFILE_NAMES, isProfileName, type ProfileName } from '../model/profile.ts';
import { assertOverlaysKnown } from '../scenario/check-overlays.ts';
import { loadScenarios, type LoadedScenario } from '../scenario/load.ts';
import { DEPLOY_METHODS, type DeployChoice } from '../scenario/schema.ts';
import { listFlag } from './args.ts';
import { STEP_KINDS } from '../steps/registry.ts';

export function profileFlag(values: string[] | undefined): ProfileName[] {
  const profiles = listFlag(values);
  for (const name of profiles) {
    if (!isProfileName(name)) throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${name}'`);
  }
  return profiles.filter(isProfileName);
}

/** Every file is loaded and checked at once (scenario syntax, overlay names): a typo costs seconds, not a boot. */
export async function loadScenarioArgs(positionals: string[]): Promise<LoadedScenario[]> {
  const scenarios = await loadScenarios(positionals.length ? positionals : ['scenarios'], STEP_KINDS);
  assertOverlaysKnown(scenarios, (await listOverlays()).map((overlay) => overlay.name));
  return scenarios;
}

export function deployFlag(value: string | undefined): DeployChoice | undefined {
  if (value === undefined) return undefined;
  if (!(DEPLOY_METHODS as readonly string[]).includes(value)) throw new InputError('E_BAD_FLAG', `--deploy: expected one of ${DEPLOY_METHODS.join(', ')}, got '${value}'`);
  return value as DeployChoice;
}
