// Builds the test page with rollup from the built @courier/browser (the published shape, as a
// web app would import it) and serves it on 127.0.0.1.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';

const pageDir = fileURLToPath(new URL('../page/', import.meta.url));

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** What to build and serve: the page's folder (with its index.html), its entries, the export conditions to resolve with. */
export interface PageBuild {
  dir: string;
  /** Output name (without .js) → the entry's file in `dir`. */
  entries: Record<string, string>;
  conditions?: string[];
}

/** The page's chunks by file name: its entries and what they load lazily (the IndexedDB outbox). */
async function bundlePage(page: PageBuild): Promise<Map<string, string>> {
  const input = Object.fromEntries(Object.entries(page.entries).map(([name, file]) => [name, `${page.dir}${file}`]));
  const bundle = await rollup({
    input,
    plugins: [nodeResolve({ browser: true, exportConditions: [...(page.conditions ?? []), 'browser', 'import', 'default'] }), esbuild({ target: 'es2022' })],
    onwarn: (warning, warn) => {
      if (warning.code !== 'THIS_IS_UNDEFINED' && warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
    },
  });
  const { output } = await bundle.generate({ format: 'es', entryFileNames: '[name].js' });
  await bundle.close();
  return new Map(output.flatMap((chunk): [string, string][] => (chunk.type === 'chunk' ? [[`/${chunk.fileName}`, chunk.code]] : [])));
}

/** Serves a page built from `page` (by default the test page, e2e/browser/page) on a free loopback port. */
export async function startPageServer(page: PageBuild = { dir: pageDir, entries: { app: 'app.ts' } }): Promise<PageServer> {
  const chunks = await bundlePage(page);
  const html = readFileSync(`${page.dir}index.html`, 'utf8');
  const server: Server = createServer((request, response) => {
    const chunk = chunks.get(request.url ?? '');
    if (chunk !== undefined) response.writeHead(200, { 'content-type': 'text/javascript' }).end(chunk);
    else if (request.url === '/' || request.url === '/index.html') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
