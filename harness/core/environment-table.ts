// `npm run docs:environment`: rewrites the README's table of environment variables from the catalogue.
import { ENVIRONMENT_MARKERS, renderEnvironmentTable } from './environment.ts';
import { rewriteReadmeSection } from './readme-section.ts';

await rewriteReadmeSection(ENVIRONMENT_MARKERS, renderEnvironmentTable(), 'the environment table');
