// The flags of `pilot doctor`, declared once: none but --help.
import { defineCommand } from '../command-spec.ts';

export const DOCTOR = defineCommand({
  name: 'doctor',
  summary: 'report which host tools are present and which are missing',
  about: 'Checks host packages, Node, arm64 apt setup and npm dependencies.',
  flags: {},
  epilogue: 'exit codes: 0 all present, 2 otherwise',
});
