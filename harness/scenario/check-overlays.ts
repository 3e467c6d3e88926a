// Overlay names are checked against images/dt-overlays before anything boots, and reported at the line they were written.
import { closest } from 'fastest-levenshtein';
import { PROFILE_NAMES } from '../model/profile.ts';
import { REAL_SOC_VARIANT_NAMES } from '../images/devicetree/real-soc-variants.ts';
import { ScenarioLoadError, type LoadedScenario } from './load.ts';
import { type ConfigProblem } from '../config/problem.ts';
import type { SourcePosition } from '../config/yaml-source.ts';

function later(a: SourcePosition, b: SourcePosition): SourcePosition {
  return a.line > b.line || (a.line === b.line && a.column > b.column) ? a : b;
}

export function overlayProblems(scenarios: ReadonlyArray<LoadedScenario>, known: ReadonlyArray<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const simulationKnown = known;
  for (const scenario of scenarios) {
    // On the real SoC the names are read by its device-tree generator, not applied as .dtso files.
    const known = scenario.soc === 'real' ? REAL_SOC_VARIANT_NAMES : simulationKnown;
    for (const profile of PROFILE_NAMES) {
      const names = scenario.dtbOverlays[profile] ?? [];
      names.forEach((name, index) => {
        if (known.includes(name)) return;
        // The list form applies to every profile; report each unknown name once, where it was written.
        const perProfile = scenario.locate(['dtb-overlays', profile, index]);
        const shared = scenario.locate(['dtb-overlays', index]);
        const at = later(perProfile, shared);
        const key = at === perProfile && perProfile !== shared ? `dtb-overlays.${profile}[${index}]` : `dtb-overlays[${index}]`;
        if (problems.some((p) => p.file === scenario.file && p.line === at.line && p.column === at.column)) return;
        const suggestion = known.length ? `; did you mean '${closest(name, [...known])}'?` : '';
        problems.push({
          file: scenario.file,
          line: at.line,
          column: at.column,
          path: key,
          message: `unknown overlay '${name}'${scenario.soc === 'real' ? ' for soc: real' : ''} (known: ${known.join(', ') || 'none'})${suggestion}`,
        });
      });
    }
  }
  return problems;
}

export function assertOverlaysKnown(scenarios: ReadonlyArray<LoadedScenario>, known: ReadonlyArray<string>): void {
  const problems = overlayProblems(scenarios, known);
  if (problems.length) throw new ScenarioLoadError(problems);
}
