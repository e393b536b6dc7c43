// Builds the tabs test page and its SharedWorker with rollup from the sources of @courier/browser
// (the "@courier/source" condition, so that no stale dist/ is tested) and serves them on 127.0.0.1.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import type { PageServer } from './page-server';

const pageDir = fileURLToPath(new URL('../tabs-page/', import.meta.url));

async function bundle(): Promise<Map<string, string>> {
  const built = await rollup({
    input: { 'tabs-app': `${pageDir}tabs-app.ts`, 'tabs-worker': `${pageDir}tabs-worker.ts` },
    plugins: [nodeResolve({ browser: true, exportConditions: ['@courier/source', 'browser', 'import', 'default'] }), esbuild({ target: 'es2022' })],
    onwarn: (warning, warn) => {
      if (warning.code !== 'THIS_IS_UNDEFINED' && warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
    },
  });
  const { output } = await built.generate({ format: 'es', entryFileNames: '[name].js' });
  await built.close();
  return new Map(output.flatMap((chunk): [string, string][] => (chunk.type === 'chunk' ? [[`/${chunk.fileName}`, chunk.code]] : [])));
}

export async function startTabsPageServer(): Promise<PageServer> {
  const chunks = await bundle();
  const html = readFileSync(`${pageDir}index.html`, 'utf8');
  const server: Server = createServer((request, response) => {
    const chunk = chunks.get(request.url ?? '');
    if (chunk !== undefined) response.writeHead(200, { 'content-type': 'text/javascript' }).end(chunk);
    else if (request.url === '/' || request.url === '/index.html') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
