// Bundles the demo page into one ES module with rollup, the way a web app would bundle
// @courier/browser. It bundles from the packages' TypeScript sources (the "@courier/source"
// export condition), so a fresh clone needs no build step before `npm start`.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';

/** The app at `entry`, bundled with every dependency inside (dynamic imports inlined). */
export async function bundleBrowserApp(entry: string): Promise<string> {
  const bundle = await rollup({
    input: entry,
    plugins: [nodeResolve({ browser: true, exportConditions: ['@courier/source', 'browser', 'import', 'default'] }), esbuild({ target: 'es2022' })],
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
