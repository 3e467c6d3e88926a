// Which runs go to a lab board: `--board` sends every scenario there, a scenario's `board:` only itself; checked before boot.
import { InputError } from '../core/errors.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { MatrixRun } from '../scenario/matrix.ts';
import { loadBoardFile, type BoardConfig } from '../machine/board/board-file.ts';

export interface BoardPlan {
  /** Board per scenario name; scenarios absent here run on QEMU. */
  byScenario: Map<string, BoardConfig>;
  /** Matrix runs on a board's profile only, where a board is given; QEMU runs untouched. */
  matrix: MatrixRun[];
}

/** Loads each board file once; a scenario whose board claims a profile it does not list is an error at its `board:` line. */
export async function planBoards(scenarios: ReadonlyArray<LoadedScenario>, matrix: ReadonlyArray<MatrixRun>, override: BoardConfig | undefined): Promise<BoardPlan> {
  const files = new Map<string, Promise<BoardConfig>>();
  const byScenario = new Map<string, BoardConfig>();
  const problems: string[] = [];
  for (const scenario of scenarios) {
    let board = override;
    if (!board && scenario.board) {
      const file = scenario.board.file;
      if (!files.has(file)) files.set(file, loadBoardFile(file));
      board = await files.get(file)!;
      if (!scenario.profiles.includes(board.profile.name)) {
        problems.push(`${scenario.board.origin}: board: ${board.name} claims ${board.profile.name}, which the scenario's profiles (${scenario.profiles.join(', ')}) do not list`);
        continue;
      }
    }
    if (board) byScenario.set(scenario.name, board);
  }
  if (problems.length) throw new InputError('E_BOARD_PROFILE', problems.join('\n'));
  const onItsBoard = (run: MatrixRun) => {
    const board = byScenario.get(run.scenario.name);
    return !board || board.profile.name === run.profile;
  };
  return { byScenario, matrix: matrix.filter(onItsBoard) };
}
