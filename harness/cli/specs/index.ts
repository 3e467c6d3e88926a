// Every command's declaration, in the order `pilot --help` and the README list them.
import type { CommandSpec } from '../command-spec.ts';
import { BENCH } from './bench.ts';
import { COMPARE } from './compare.ts';
import { DOCTOR } from './doctor.ts';
import { EXPORT } from './export.ts';
import { IMAGES } from './images.ts';
import { KERNEL_TREE } from './kernel-tree.ts';
import { MERGE } from './merge.ts';
import { REPORT } from './report.ts';
import { RUN } from './run.ts';
import { SCHEMA } from './schema.ts';
import { SHELL } from './shell.ts';

export const COMMAND_SPECS: readonly CommandSpec[] = [RUN, SHELL, COMPARE, IMAGES, KERNEL_TREE, DOCTOR, SCHEMA, BENCH, EXPORT, MERGE, REPORT];
