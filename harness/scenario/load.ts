// Loads scenario files: YAML with source positions, validated against the schema, every problem reported at once as file:line:col.
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { ConfigLoadError, dedupeProblems, formatProblem, sortProblems, type ConfigProblem } from '../config/problem.ts';
import { scenarioKnownIssues } from './known-issues.ts';
import type { KnownIssue } from '../config/known-issue-schema.ts';
import type { KernelSpec } from '../model/kernel-spec.ts';
import type { ProfileName } from '../model/profile.ts';
import type { SocKind } from '../model/soc-kind.ts';
import { realSocProfileProblems } from './real-soc-checks.ts';
import type { FaultStormSetting } from './fault-storm-setting.ts';
import type { KernelErrorOptOut } from '../model/kernel-error-patterns.ts';
import type { AnyStepFormat } from './step-format.ts';
import { formatDataPath, placeIssues, scenarioErrorMap } from '../config/zod-problems.ts';
import { buildScenarioSchema, STEP_COMMON_KEYS, type DeployChoice, type ScenarioDocument } from './schema.ts';
import { documentData, parseYamlSource, type DataPath, type SourcePosition } from '../config/yaml-source.ts';
import { readConfigText } from '../config/config-text.ts';

export interface LoadedStep {
  /** 0-based position in the scenario's steps. */
  index: number;
  /** The step kind's name, e.g. 'expect-dmesg'. */
  kind: string;
  /** The step body as the kind's schema parsed it (durations in ms, lists normalised). */
  spec: unknown;
  /** The step's `name`, or the title its kind makes from the spec. */
  title: string;
  /** Milliseconds from the step's own `timeout`, when it has one. */
  timeoutMs: number | undefined;
  /** The step's own `fault-storm` setting, which overrides the scenario's. */
  faultStorm?: FaultStormSetting;
  /** 1-based position of the step in its file. */
  line: number;
  column: number;
}

export interface LoadedScenario {
  name: string;
  description: string | undefined;
  /** As given to loadScenarios (relative paths stay relative, for messages). */
  file: string;
  profiles: ProfileName[];
  /** Overlay names for each profile in `profiles` (empty list when none); validated by the machine layer. */
  dtbOverlays: Partial<Record<ProfileName, string[]>>;
  /** Which SoC the runs get: the kernel's own drivers against the EL3 firmware (real), or the simulation (sim). */
  soc: SocKind;
  /** Host-channel commands the EL3 firmware gets before Linux boots (soc: real), e.g. `rule bridge-required off`. */
  trustZoneCommands?: string[];
  timeoutMs: number;
  kernelErrors: KernelErrorOptOut[];
  tags: string[];
  /** The scenario's `fault-storm` setting; undefined means the rule's defaults. */
  faultStorm?: FaultStormSetting;
  steps: LoadedStep[];
  /** The scenario's own `known-issues:` entries. */
  knownIssues?: KnownIssue[];
  /** The scenario's `kernel:`, paths made absolute against the scenario's folder. */
  kernel?: ScenarioKernel;
  /** The scenario's `board:` file, made absolute, and where it was written. */
  board?: { file: string; origin: string };
  /** Where a key path was written, e.g. ['dtb-overlays', 'kvm-el2', 0], so later checks can report file:line:col too. */
  locate(path: DataPath): SourcePosition;
}

export interface ScenarioKernel {
  spec: KernelSpec;
  deploy: Partial<Record<ProfileName, DeployChoice>>;
  /** `file:line:col` of the key, for errors about the kernel found later (refused deploys, bad inputs). */
  origin: string;
}


/** Every problem in every file, in one error; `problems` holds them structured for editors and tests. */
export class ScenarioLoadError extends ConfigLoadError {
  constructor(problems: ConfigProblem[]) {
    super('E_SCENARIO_INVALID', 'scenario files have', problems, {
      hint: 'run `pilot schema --out scenario.schema.json` and point your editor at it to catch these while typing',
    });
  }
}

export interface ParseResult {
  scenario: LoadedScenario | undefined;
  problems: ConfigProblem[];
}

/** Parses and validates one file's text; never throws for bad input, it returns the problems. */
export function parseScenario(text: string, file: string, kinds: ReadonlyArray<AnyStepFormat>): ParseResult {
  const source = parseYamlSource(text);
  const problem = (position: SourcePosition, path: string, message: string): ConfigProblem => ({ file, ...position, path, message });

  if (source.document.errors.length) {
    const problems = source.document.errors.map((error) => problem(source.positionOf(error.pos[0]), '', `YAML: ${firstLine(error.message)}`));
    return { scenario: undefined, problems };
  }
  const expanded = documentData(source);
  if (expanded.problem) return { scenario: undefined, problems: [problem(expanded.problem.position, '', expanded.problem.message)] };
  const data = expanded.data;
  if (data === null || data === undefined) {
    return { scenario: undefined, problems: [problem({ line: 1, column: 1 }, '', 'the file is empty; expected a mapping with name and steps')] };
  }

  const result = buildScenarioSchema(kinds).safeParse(data, { error: scenarioErrorMap });
  if (!result.success) {
    const placed = placeIssues(result.error.issues, {
      data,
      stepKinds: kinds.map((kind) => kind.name),
      stepCommonKeys: STEP_COMMON_KEYS,
    });
    const problems = placed.map((item) => problem(source.locate(item.path, item.placement), formatDataPath(item.path), item.message));
    return { scenario: undefined, problems: dedupeProblems(sortProblems(problems)) };
  }

  const document = result.data as ScenarioDocument;
  const refused = realSocProfileProblems(document, (path) => source.locate(path)).map((item) => problem(item.position, item.path, item.message));
  if (refused.length) return { scenario: undefined, problems: refused };
  const known = scenarioKnownIssues(document['known-issues'], document.name, file, (path) => source.locate(path));
  if (known.problems.length) return { scenario: undefined, problems: known.problems };
  const steps = document.steps.map((raw, index): LoadedStep => {
    const kind = kinds.find((candidate) => Object.hasOwn(raw, candidate.name))!;
    const spec = raw[kind.name];
    const position = source.locate(['steps', index]);
    return {
      index,
      kind: kind.name,
      spec,
      title: typeof raw.name === 'string' ? raw.name : kind.title(spec),
      timeoutMs: typeof raw.timeout === 'number' ? raw.timeout : undefined,
      ...(raw['fault-storm'] === undefined ? {} : { faultStorm: raw['fault-storm'] as FaultStormSetting }),
      line: position.line,
      column: position.column,
    };
  });
  const scenario: LoadedScenario = {
    name: document.name,
    description: document.description,
    file,
    profiles: document.profiles,
    dtbOverlays: overlaysPerProfile(document),
    soc: document.soc,
    ...(document.trustzone ? { trustZoneCommands: [`rule bridge-required ${document.trustzone['bridge-required']}`] } : {}),
    timeoutMs: document.timeout,
    kernelErrors: document['kernel-errors'],
    tags: document.tags,
    ...(document['fault-storm'] === undefined ? {} : { faultStorm: document['fault-storm'] }),
    ...(document.kernel ? { kernel: scenarioKernel(document, file, source.locate(['kernel'])) } : {}),
    ...(document.board ? { board: { file: resolve(dirname(resolve(file)), document.board), origin: at(file, source.locate(['board'])) } } : {}),
    steps,
    ...(known.issues.length ? { knownIssues: known.issues } : {}),
    locate: (path) => source.locate(path),
  };
  return { scenario, problems: [] };
}

function scenarioKernel(document: ScenarioDocument, file: string, position: SourcePosition): ScenarioKernel {
  const written = document.kernel!;
  const base = dirname(resolve(file));
  const path = (value: string) => resolve(base, value);
  const spec: KernelSpec = written['build-dir'] !== undefined
    ? { kind: 'build-dir', dir: path(written['build-dir']) }
    : written.image !== undefined
      ? { kind: 'image+modules', image: path(written.image), modules: path(written.modules!) }
      : written.deb !== undefined
        ? { kind: 'deb', path: path(written.deb) }
        : { kind: 'debian-package', name: written.debian! };
  const deploy: Partial<Record<ProfileName, DeployChoice>> = {};
  for (const profile of document.profiles) deploy[profile] = typeof written.deploy === 'string' ? written.deploy : (written.deploy[profile] ?? 'auto');
  return { spec, deploy, origin: at(file, position) };
}

/** The `kernel:` paths a scenario names must exist, and are reported at their own key when they do not. */
async function kernelPathProblems(scenario: LoadedScenario): Promise<ConfigProblem[]> {
  const spec = scenario.kernel?.spec;
  if (!spec) return [];
  const paths: Array<{ key: string; path: string; folder: boolean }> =
    spec.kind === 'build-dir'
      ? [{ key: 'build-dir', path: spec.dir, folder: true }]
      : spec.kind === 'image+modules'
        ? [{ key: 'image', path: spec.image, folder: false }, { key: 'modules', path: spec.modules, folder: false }]
        : spec.kind === 'deb'
          ? [{ key: 'deb', path: spec.path, folder: false }]
          : [];
  const problems: ConfigProblem[] = [];
  for (const { key, path, folder } of paths) {
    const found = await stat(path).catch(() => undefined);
    const wrongKind = found && folder && !found.isDirectory();
    if (found && !wrongKind) continue;
    problems.push({
      file: scenario.file,
      ...scenario.locate(['kernel', key]),
      path: `kernel.${key}`,
      message: wrongKind ? `${path} is not a directory; expected a kernel build tree` : `${path} does not exist (relative paths are taken from the scenario's folder)`,
    });
  }
  return problems;
}

function at(file: string, position: SourcePosition): string {
  return `${file}:${position.line}:${position.column}`;
}

function overlaysPerProfile(document: ScenarioDocument): Partial<Record<ProfileName, string[]>> {
  const written = document['dtb-overlays'];
  const overlays: Partial<Record<ProfileName, string[]>> = {};
  for (const profile of document.profiles) {
    overlays[profile] = written === undefined ? [] : Array.isArray(written) ? [...written] : [...(written[profile] ?? [])];
  }
  return overlays;
}

/**
 * Loads files and directories (recursing into *.yaml and *.yml, sorted), validating all of them before reporting,
 * and rejects a scenario name used by two files.
 */
export async function loadScenarios(paths: ReadonlyArray<string>, kinds: ReadonlyArray<AnyStepFormat>): Promise<LoadedScenario[]> {
  const files = await scenarioFiles(paths);
  const scenarios: LoadedScenario[] = [];
  const problems: ConfigProblem[] = [];
  for (const file of files) {
    const read = await readConfigText(file);
    if (read.problem) {
      problems.push(read.problem);
      continue;
    }
    const result = parseScenario(read.text, file, kinds);
    problems.push(...result.problems);
    if (result.scenario) {
      problems.push(...(await kernelPathProblems(result.scenario)));
      scenarios.push(result.scenario);
    }
  }
  const byName = new Map<string, LoadedScenario>();
  for (const scenario of scenarios) {
    const first = byName.get(scenario.name);
    if (!first) {
      byName.set(scenario.name, scenario);
      continue;
    }
    const here = scenario.locate(['name']);
    const there = first.locate(['name']);
    problems.push({
      file: scenario.file,
      ...here,
      path: 'name',
      message: `scenario name '${scenario.name}' is used by both ${first.file}:${there.line}:${there.column} and ${scenario.file}:${here.line}:${here.column}`,
    });
  }
  if (problems.length) throw new ScenarioLoadError(problems);
  return scenarios;
}

async function scenarioFiles(paths: ReadonlyArray<string>): Promise<string[]> {
  const missing: string[] = [];
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) missing.push(path);
    else if (info.isDirectory()) files.push(...(await yamlFilesUnder(path)));
    else files.push(path);
  }
  if (missing.length) {
    throw new InputError('E_SCENARIO_NOT_FOUND', `no such scenario file or directory: ${missing.join(', ')}`);
  }
  if (files.length === 0) {
    throw new InputError('E_SCENARIO_NONE', `no *.yaml or *.yml scenario files in ${paths.join(', ') || '(no paths given)'}`);
  }
  // The same file named twice (a directory and a file in it) is loaded once.
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const file of files) {
    const real = await realpath(file);
    if (seen.has(real)) continue;
    seen.add(real);
    unique.push(file);
  }
  return unique;
}

async function yamlFilesUnder(directory: string): Promise<string[]> {
  const entries = (await readdir(directory, { withFileTypes: true }))
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFilesUnder(path)));
    else if (/\.ya?ml$/.test(entry.name)) files.push(path);
  }
  return files;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
