// Starts what the demo runs: the reference broker (TCP and WebSocket), the page bundled from
// @courier/browser, and the web server that shows it. `npm start` adds the terminal matrix.
import { fileURLToPath } from 'node:url';
import { type Broker, createBroker } from '@courier/broker';
import { DemoFaults } from './demo-faults';
import { startDemoHttpServer } from './demo-http-server';
import { FlowStream } from './flow-stream';
import { bundleBrowserApp } from './page-bundle';

/** Where the demo listens; 0 picks a free port. */
export interface DemoOptions {
  host?: string;
  port?: number;
  wsPort?: number;
  httpPort?: number;
}

/** A running demo: its addresses, its broker, and how to stop it. */
export interface Demo {
  broker: Broker;
  pageUrl: string;
  mqttUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const host = options.host ?? '127.0.0.1';
  // Bundled while the broker starts and the matrix runs: the page waits for it, the terminal does not.
  const script = bundleBrowserApp(fileURLToPath(new URL('../page/app.ts', import.meta.url)));
  script.catch((error: unknown) => console.error(`courier demo: bundling the page failed: ${error instanceof Error ? error.message : String(error)}`));
  const broker = await createBroker({ host, port: options.port ?? 0, wsPort: options.wsPort ?? 0 });
  const wsUrl = `ws://${host}:${broker.wsPort}/mqtt`;
  const flow = new FlowStream(broker);
  const faults = new DemoFaults(broker, flow);
  let http: Awaited<ReturnType<typeof startDemoHttpServer>>;
  try {
    http = await startDemoHttpServer({ host, port: options.httpPort ?? 0, script, brokerWsUrl: wsUrl, flow, faults });
  } catch (error) {
    await broker.close();
    throw error;
  }
  return {
    broker,
    pageUrl: http.url,
    mqttUrl: `mqtt://${host}:${broker.port}`,
    wsUrl,
    async close() {
      faults.close();
      flow.close();
      // Pages keep their event stream open: cut them, or close() would wait for them forever.
      const closed = new Promise<void>((resolve) => http.server.close(() => resolve()));
      http.server.closeAllConnections();
      await Promise.all([closed, broker.close()]);
    },
  };
}
