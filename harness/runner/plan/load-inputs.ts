// Reads what a session plans from, every file checked at once before anything boots: a typo costs seconds, not a boot.
import { listOverlays } from '../../images/devicetree/overlays.ts';
import { loadBoardFile, type BoardConfig } from '../../machine/board/board-file.ts';
import { assertOverlaysKnown } from '../../scenario/check-overlays.ts';
import { loadScenarios, type LoadedScenario } from '../../scenario/load.ts';
import { STEP_KINDS } from '../../steps/registry.ts';

/** With no path given, the scenarios/ folder. */
export const DEFAULT_SCENARIO_PATHS = ['scenarios'];

export interface PlanSources {
  /** Scenario files or folders. */
  paths: ReadonlyArray<string>;
  /** --board FILE. */
  boardFile?: string | undefined;
}

export interface LoadedSources {
  scenarios: LoadedScenario[];
  board: BoardConfig | undefined;
}

/** The board file first, as the flag it came from; then the scenarios, with their overlay names checked. */
export async function loadPlanSources(sources: PlanSources): Promise<LoadedSources> {
  const board = sources.boardFile === undefined ? undefined : await loadBoardFile(sources.boardFile);
  return { scenarios: await loadCheckedScenarios(sources.paths), board };
}

export async function loadCheckedScenarios(paths: ReadonlyArray<string>): Promise<LoadedScenario[]> {
  const scenarios = await loadScenarios(paths.length ? paths : DEFAULT_SCENARIO_PATHS, STEP_KINDS);
  assertOverlaysKnown(scenarios, (await listOverlays()).map((overlay) => overlay.name));
  return scenarios;
}
