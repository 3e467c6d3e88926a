// The floors of harness/, top to bottom: a folder may import from its own floor (without a cycle) and from any floor below it.
export interface Floor {
  name: string;
  folders: readonly string[];
  holds: string;
}

export const FLOORS: readonly Floor[] = [
  { name: 'entry', folders: ['cli'], holds: 'flags declared once (help comes from them), commands, exit codes' },
  { name: 'orchestration', folders: ['runner'], holds: 'the planner (scenarios × profiles × board × kernel × shard → planned runs), the pool, the step engine' },
  { name: 'outputs', folders: ['report', 'export', 'bench'], holds: 'reporters built in one place; compare, HTML, KCIDB, LAVA, merge; benchmarks' },
  { name: 'work', folders: ['kernel', 'deploy', 'steps', 'oracles', 'known-issues'], holds: 'kernel checks on the host; deploys to the target; step kinds; run-wide checks; known issues' },
  { name: 'machines', folders: ['machine'], holds: 'backends behind one switch (QEMU, board), process lifetime, serial console, self-check' },
  { name: 'below', folders: ['images', 'guest', 'scenario'], holds: 'image pieces and their cache; SSH, exec, kmsg and sysfs readers; the scenario format' },
  { name: 'ground', folders: ['config', 'model', 'host', 'core'], holds: 'YAML with positions and problems; profiles, results, artifact names; host processes; errors and waits' },
];

/** The folder a harness-relative path belongs to: its first segment. */
export function folderOf(path: string): string {
  return path.split('/')[0] ?? path;
}

/** Index of the floor holding `folder`, 0 being the top; undefined for a folder no floor names. */
export function floorIndex(folder: string): number | undefined {
  const index = FLOORS.findIndex((floor) => floor.folders.includes(folder));
  return index < 0 ? undefined : index;
}
