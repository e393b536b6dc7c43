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

/** The page's chunks by file name: app.js and what it loads lazily (the IndexedDB outbox). */
async function bundlePage(): Promise<Map<string, string>> {
  const bundle = await rollup({
    input: `${pageDir}app.ts`,
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }), esbuild({ target: 'es2022' })],
    onwarn: (warning, warn) => {
      if (warning.code !== 'THIS_IS_UNDEFINED') warn(warning);
    },
  });
  const { output } = await bundle.generate({ format: 'es', entryFileNames: 'app.js' });
  await bundle.close();
  return new Map(output.flatMap((chunk): [string, string][] => (chunk.type === 'chunk' ? [[`/${chunk.fileName}`, chunk.code]] : [])));
}

export async function startPageServer(): Promise<PageServer> {
  const chunks = await bundlePage();
  const html = readFileSync(`${pageDir}index.html`, 'utf8');
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
