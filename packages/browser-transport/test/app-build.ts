// What the bundle benches (bench/bundle.bench.ts, bench/bundle/) and the bundle-size test share:
// esbuild's options for a web app (code splitting, minified), the chunks such an app loads at
// start, and a plugin that marks each source module in the output.
import { readFileSync } from 'node:fs';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

/** A web app's build, as its bundler would make it: code splitting, minified, for the browser. */
export const APP_BUILD = {
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  metafile: true,
  logLevel: 'silent',
} satisfies BuildOptions;

/** The output chunk of the entry and every chunk it imports statically, transitively. */
export function startChunks(outputs: Metafile['outputs']): Set<string> {
  const start = new Set<string>();
  const visit = (path: string) => {
    if (start.has(path)) return;
    start.add(path);
    for (const imported of outputs[path]?.imports ?? []) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(Object.keys(outputs).find((path) => outputs[path]!.entryPoint !== undefined)!);
  return start;
}

/** The legal comment that `marker` puts before each module; minifiers keep those in place. */
export const MARK = /\/\*! @@([^*]*) \*\/\n?/;

/** Marks each source module of the packages, so that minified chunks can be cut back into modules. */
export const marker: Plugin = {
  name: 'marker',
  setup(b) {
    b.onLoad({ filter: /packages\/.*\/src\/.*\.ts$/ }, (args) => ({
      contents: `/*! @@${args.path.replace(/^.*packages\//, '')} */\n${readFileSync(args.path, 'utf8')}`,
      loader: 'ts',
    }));
  },
};
