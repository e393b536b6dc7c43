// `npm start` as a child process for the demo's tests: what package.json's "start" script runs,
// started without npm in between (so that SIGINT reaches the demo as Ctrl-C would).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ChildScript } from './child-process';
import { repository } from './readme';

const MAIN = 'demo/server/main.ts';

/** The addresses the demo printed. */
export interface DemoAddresses {
  pageUrl: string;
  mqttPort: number;
  wsPort: number;
  httpPort: number;
}

/** Starts the demo with `args`; throws if the start script no longer runs what ChildScript runs. */
export function startDemoProcess(args: string[]): ChildScript {
  const { scripts } = JSON.parse(readFileSync(`${repository}/package.json`, 'utf8')) as { scripts: Record<string, string> };
  const expected = `node --conditions=@courier/source --import tsx ${MAIN}`;
  if (scripts.start !== expected) throw new Error(`package.json's start script is "${scripts.start}", the demo tests run "${expected}"`);
  return new ChildScript(MAIN, args);
}

/** The first line matching `pattern`; throws, with the output so far, if none comes in `timeoutMs`. */
export async function lineMatching(demo: ChildScript, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  await demo.waitForLine((line) => pattern.test(line), timeoutMs);
  const match = demo.lines.map((line) => line.match(pattern)).find((each) => each !== null);
  if (match === undefined) throw new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${demo.lines.join('\n')}\n${demo.errors}`);
  return match;
}

/** Waits for the addresses the demo prints once it listens. */
export async function demoAddresses(demo: ChildScript, timeoutMs = 30_000): Promise<DemoAddresses> {
  const [, mqttPort, wsPort] = await lineMatching(demo, /broker\s+mqtt:\/\/127\.0\.0\.1:(\d+) \(TCP\)\s+ws:\/\/127\.0\.0\.1:(\d+)\//, timeoutMs);
  const [, pageUrl, httpPort] = await lineMatching(demo, /page\s+(http:\/\/127\.0\.0\.1:(\d+)\/)/, timeoutMs);
  return { pageUrl: pageUrl!, mqttPort: Number(mqttPort), wsPort: Number(wsPort), httpPort: Number(httpPort) };
}

/** True when `port` on 127.0.0.1 can be listened on again, i.e. the demo let it go. */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  const [outcome] = await Promise.race([once(server, 'listening').then(() => ['free']), once(server, 'error').then(() => ['taken'])]);
  if (outcome === 'free') {
    server.close();
    await once(server, 'close');
  }
  return outcome === 'free';
}
