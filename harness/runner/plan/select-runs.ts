// The cheap half of planning, before anything is built: which runs (scenario × profile × board × shard) and on what machine.
import type { BoardConfig } from '../../machine/board/board-file.ts';
import type { ProfileName } from '../../model/profile.ts';
import type { RunSummary } from '../../model/results.ts';
import type { LoadedScenario } from '../../scenario/load.ts';
import { expandMatrix } from '../../scenario/matrix.ts';
import { planBoards } from '../scenario-boards.ts';
import { selectShard, shardRecord, type ShardSpec } from '../shard.ts';
import { backendOf } from './backend.ts';
import type { SelectedRun } from './planned-run.ts';

export interface SelectionInput {
  scenarios: ReadonlyArray<LoadedScenario>;
  /** --profile; empty keeps each scenario's own. */
  profiles: ReadonlyArray<ProfileName>;
  /** --board: every scenario goes there, on the profile the board claims. */
  board?: BoardConfig | undefined;
  shard?: ShardSpec | undefined;
  /** Earlier run durations that balance the shards. */
  durations?: ReadonlyMap<string, number> | undefined;
  /** Runs in parallel asked for. */
  jobs: number;
  /** A line for the person at the terminal. */
  note: (line: string) => void;
}

export interface RunSelection {
  runs: SelectedRun[];
  jobs: number;
  shard: RunSummary['shard'];
}

export async function selectRuns(input: SelectionInput): Promise<RunSelection> {
  const { scenarios, board } = input;
  const onBoard = board ? scenarios.filter((scenario) => scenario.profiles.includes(board.profile.name)) : scenarios;
  if (board && onBoard.length < scenarios.length) {
    const left = scenarios.filter((scenario) => !onBoard.includes(scenario)).map((scenario) => scenario.name);
    input.note(`pilot: board ${board.name} claims ${board.profile.name}; not run there: ${left.join(', ')}`);
  }
  const boards = await planBoards(onBoard, expandMatrix(onBoard, board ? [board.profile.name] : input.profiles), board);
  const fullMatrix = boards.matrix;
  const matrix = input.shard ? selectShard(fullMatrix, input.shard, input.durations) : fullMatrix;
  return {
    runs: matrix.map((run) => ({ ...run, backend: backendOf(run.scenario.name, boards.byScenario) })),
    // A board is one physical machine: with one in play, runs go one at a time.
    jobs: boards.byScenario.size ? 1 : input.jobs,
    shard: input.shard ? shardRecord(input.shard, fullMatrix) : undefined,
  };
}
