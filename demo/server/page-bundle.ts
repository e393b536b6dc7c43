// Bundles a browser app written in TypeScript into one ES module with rollup, the way a web app
// would bundle @courier/browser. The demo bundles from the packages' sources (the
// "@courier/source" export condition: nothing to build first on a fresh clone); the browser
// end-to-end tests bundle the built packages, as published.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';

/** Which build of the @courier packages a bundle takes: their TypeScript sources, or dist/. */
export type PackageBuild = 'source' | 'dist';

/** The app at `entry`, bundled with every dependency inside (dynamic imports inlined). */
export async function bundleBrowserApp(entry: string, build: PackageBuild): Promise<string> {
  const conditions = build === 'source' ? ['@courier/source', 'browser', 'import', 'default'] : ['browser', 'import', 'default'];
  const bundle = await rollup({
    input: entry,
    plugins: [nodeResolve({ browser: true, exportConditions: conditions }), esbuild({ target: 'es2022' })],
    onwarn: (warning, warn) => {
      if (warning.code !== 'THIS_IS_UNDEFINED') warn(warning);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es', inlineDynamicImports: true });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}
