import { join } from 'node:path';
import { repository } from './readme';

/** JavaScript runtimes other than Node that run @courier/node's built dist/ as an app would. */
export type Runtime = 'bun' | 'deno';

/** The command line that runs a .mjs file in each runtime (both come from the npm devDependencies). */
export const RUNTIME_LAUNCHERS: Record<Runtime, readonly string[]> = {
  bun: [join(repository, 'node_modules/.bin/bun')],
  // Deno resolves bare imports through the repository's node_modules, as it does for npm projects.
  deno: [join(repository, 'node_modules/.bin/deno'), 'run', '--allow-all'],
};
