// The demo's web server on 127.0.0.1: the page, its script, the packet flow as server-sent
// events, and the two fault buttons' endpoints. Everything is served from here: no CDN.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DemoFaults } from './demo-faults';
import type { FlowStream } from './flow-stream';

const pageDir = new URL('../page/', import.meta.url);

/** What the server serves: the bundled page script, the broker's WebSocket URL, the live parts. */
export interface DemoHttpOptions {
  host: string;
  port: number;
  /** The page's script, once bundled. */
  script: Promise<string>;
  brokerWsUrl: string;
  flow: FlowStream;
  faults: DemoFaults;
}

function html(brokerWsUrl: string): string {
  // The page reads the broker's address from its <body>.
  return readFileSync(new URL('index.html', pageDir), 'utf8').replace('%BROKER_WS_URL%', brokerWsUrl);
}

function qosOf(value: string | null): 0 | 1 | 2 | undefined {
  return value === '0' || value === '1' || value === '2' ? (Number(value) as 0 | 1 | 2) : undefined;
}

function route(options: DemoHttpOptions, page: string, css: string, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://demo');
  const send = (status: number, type: string, body: string): void => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  };
  const clientId = url.searchParams.get('clientId') ?? '';
  if (request.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) return send(200, 'text/html; charset=utf-8', page);
  if (request.method === 'GET' && url.pathname === '/app.js') {
    options.script.then(
      (script) => send(200, 'text/javascript; charset=utf-8', script),
      (error: unknown) => send(500, 'text/plain', `bundling the page failed: ${String(error)}\n`),
    );
    return;
  }
  if (request.method === 'GET' && url.pathname === '/style.css') return send(200, 'text/css; charset=utf-8', css);
  if (request.method === 'GET' && url.pathname === '/flow') {
    return options.flow.open(response, (url.searchParams.get('clients') ?? '').split(',').filter(Boolean));
  }
  if (request.method === 'POST' && url.pathname === '/faults/cut') {
    const qos = qosOf(url.searchParams.get('qos'));
    if (clientId === '' || qos === undefined) return send(400, 'text/plain', 'needs clientId and qos (0, 1 or 2)\n');
    return send(200, 'application/json', JSON.stringify({ armed: options.faults.cutMidFlow(clientId, qos) }));
  }
  if (request.method === 'POST' && url.pathname === '/faults/hold') {
    const count = Number(url.searchParams.get('count'));
    if (clientId === '' || !Number.isInteger(count) || count < 1 || count > 100) return send(400, 'text/plain', 'needs clientId and count (1 to 100)\n');
    options.faults.holdPublishes(clientId, count);
    return send(200, 'application/json', JSON.stringify({ held: count }));
  }
  send(404, 'text/plain', 'not found\n');
}

/** Starts the web server; resolves once it listens. */
export async function startDemoHttpServer(options: DemoHttpOptions): Promise<{ server: Server; url: string }> {
  const page = html(options.brokerWsUrl);
  const css = readFileSync(new URL('style.css', pageDir), 'utf8');
  const server = createServer((request, response) => route(options, page, css, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  return { server, url: `http://${options.host}:${port}/` };
}
