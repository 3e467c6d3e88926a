#!/usr/bin/env node
// Loads the TypeScript CLI through tsx so `npx pilot` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
