// Every environment variable pilot reads, with what it does: the README's table and a test that scans the code both come from here.

export interface EnvironmentVariable {
  name: string;
  meaning: string;
}

export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  { name: 'PILOT_CACHE', meaning: 'where built images, kernels and the clean root are cached (default `$XDG_CACHE_HOME/pilot`, else `~/.cache/pilot`)' },
  { name: 'XDG_CACHE_HOME', meaning: 'the base of the default cache folder' },
  { name: 'HOME', meaning: 'the base of the default cache folder when `XDG_CACHE_HOME` is unset' },
  { name: 'CI', meaning: '`true`: plain progress lines (no live redrawing) and no colour, as CI logs want; `ci/setup-host.sh` never prompts; `run --keep-failed` keeps machines 10 min at most' },
  { name: 'NO_COLOR', meaning: 'any non-empty value turns colour off (wins over `FORCE_COLOR`)' },
  { name: 'FORCE_COLOR', meaning: 'a non-empty value other than `0` or `false` turns colour on, even into a pipe' },
  { name: 'TERM', meaning: '`dumb`: no live redrawing and no colour' },
  { name: 'PILOT_BUILD_KERNELS', meaning: '`1`: the test suite builds every kernel tree its build-tree tests need (`pilot kernel-tree build`, 10–11 min each cold on 2 cores) instead of skipping those tests when the trees are not cached; a comma list (`sim-6.1,sim-6.1:crash-regression`, what `.ci/run` sets) builds those trees before any test starts' },
  { name: 'PATH', meaning: 'where host tools (`qemu-system-aarch64`, `dtc`, the cross compiler…) are looked up' },
  { name: 'PILOT_GIT_URL', meaning: 'KCIDB output: the kernel repository URL of the checkout' },
  { name: 'PILOT_GIT_COMMIT', meaning: 'KCIDB output: the commit hash of the checkout' },
  { name: 'PILOT_GIT_BRANCH', meaning: 'KCIDB output: the branch of the checkout' },
  { name: 'PILOT_GIT_TREE', meaning: 'KCIDB output: the tree name of the checkout' },
];

/** `| name | meaning |` rows, for the README. */
export function renderEnvironmentTable(variables: readonly EnvironmentVariable[] = ENVIRONMENT_VARIABLES): string {
  return ['| variable | what it does |', '|---|---|', ...variables.map((variable) => `| \`${variable.name}\` | ${variable.meaning} |`)].join('\n');
}

export const ENVIRONMENT_MARKERS = { begin: '<!-- environment:begin -->', end: '<!-- environment:end -->' } as const;
