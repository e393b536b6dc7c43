import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { readmeBlock, repository } from './readme';

/** The README's web page quick start, as printed but for the broker's WebSocket port, served with the built standalone module beside it as courier.mjs. */
export async function serveWebQuickStart(wsPort: number): Promise<{ url: string; close(): Promise<void> }> {
  const html = readmeBlock('### A web page', 'html').replace('ws://127.0.0.1:8083/mqtt', `ws://127.0.0.1:${wsPort}/mqtt`);
  const standalone = readFileSync(`${repository}packages/browser-transport/dist/standalone.mjs`);
  const server = createServer((request, response) => {
    if (request.url === '/courier.mjs') response.writeHead(200, { 'content-type': 'text/javascript' }).end(standalone);
    else response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body>${html}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
