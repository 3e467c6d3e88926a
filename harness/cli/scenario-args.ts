// The flags every matrix command shares: --profile and --deploy, checked before anything boots.
import { InputError } from '../core/errors.ts';
import { PROFILE_NAMES, isProfileName, type ProfileName } from '../model/profile.ts';
import { DEPLOY_METHODS, type DeployChoice } from '../scenario/schema.ts';
import { listFlag } from './args.ts';

export function profileFlag(values: string[] | undefined): ProfileName[] {
  const profiles = listFlag(values);
  for (const name of profiles) {
    if (!isProfileName(name)) throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${name}'`);
  }
  return profiles.filter(isProfileName);
}

export function deployFlag(value: string | undefined): DeployChoice | undefined {
  if (value === undefined) return undefined;
  if (!(DEPLOY_METHODS as readonly string[]).includes(value)) throw new InputError('E_BAD_FLAG', `--deploy: expected one of ${DEPLOY_METHODS.join(', ')}, got '${value}'`);
  return value as DeployChoice;
}
