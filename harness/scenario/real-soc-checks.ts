// What a scenario may not ask of the real SoC, found when it loads: profiles it cannot run on, TrustZone settings without it.
import type { ProfileName } from '../model/profile.ts';
import type { DataPath, SourcePosition } from '../config/yaml-source.ts';
import type { ScenarioDocument } from './schema.ts';

/** Profiles the kernel's own drivers cannot run on yet, and why (measured). */
export const REAL_SOC_REFUSED_PROFILES: Partial<Record<ProfileName, string>> = {};

export interface PlacedProblem {
  position: SourcePosition;
  path: string;
  message: string;
}

export function realSocProfileProblems(document: Pick<ScenarioDocument, 'soc' | 'profiles' | 'trustzone'>, locate: (path: DataPath) => SourcePosition): PlacedProblem[] {
  if (document.soc !== 'real') {
    // Only pilot's EL3 firmware takes TrustZone settings: the simulation has no secure world to send them to.
    return document.trustzone ? [{ position: locate(['trustzone']), path: 'trustzone', message: 'trustzone settings need soc: real (the simulation has no EL3 firmware to send them to)' }] : [];
  }
  return document.profiles.flatMap((profile, index) => {
    const why = REAL_SOC_REFUSED_PROFILES[profile];
    // A defaulted profiles list has no position of its own; locate falls back to the nearest key written.
    return why ? [{ position: locate(['profiles', index]), path: `profiles[${index}]`, message: `soc: real cannot run on ${profile}: ${why}` }] : [];
  });
}
