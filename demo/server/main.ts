// `npm start`: the reference broker and the demo page, then the nine QoS combinations in the
// terminal, without and with faults. Ctrl-C (SIGINT) or SIGTERM stops everything and exits 0.
import { parseDemoArgs, USAGE, type DemoArgs } from './cli-args';
import { formatLegend } from './matrix-legend';
import { formatSummary, formatTable } from './matrix-table';
import { Progress } from './progress';
import { runMatrix } from './qos-matrix';
import { type Demo, startDemo } from './start-demo';

// How long closing may take before the process says what is stuck and exits anyway.
const CLOSE_TIMEOUT_MS = 5_000;

async function runMatrices(demo: Demo, args: DemoArgs, signal: AbortSignal): Promise<void> {
  const progress = new Progress();
  for (const faults of [false, true]) {
    if (signal.aborted) return;
    const title = faults
      ? 'With faults: each connection cut once mid-flow, the publisher\'s at its 8th message, the subscriber\'s at its 12th'
      : 'Without faults';
    const rows = await runMatrix({
      broker: demo.broker,
      mqttUrl: demo.mqttUrl,
      messages: args.messages,
      faults,
      signal,
      onStart: (index, { published, subscribed }) =>
        progress.update(`${faults ? 'with faults' : 'without faults'}: ${index + 1}/9, published at QoS ${published}, subscribed at QoS ${subscribed}`),
    });
    progress.done();
    if (signal.aborted) return;
    console.log(`\n${title}: ${args.messages} messages per combination, MQTT 5.0 over TCP, clean: false\n`);
    console.log(formatTable(rows, { resent: faults }));
    console.log(`\n${formatLegend({ faults })}`);
    if (faults) console.log(`\n${formatSummary(rows)}`);
  }
}

async function main(): Promise<void> {
  // Whoever reads the output may go away first (a closed pipe): keep going regardless.
  process.stdout.on('error', () => {});
  let args: DemoArgs;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`courier demo: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }

  const controller = new AbortController();
  const interrupted = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: do not wait
    console.log(`\n${signal}: stopping the broker and the page`);
    controller.abort();
    setTimeout(() => {
      console.error(`courier demo: still not closed after ${CLOSE_TIMEOUT_MS} ms, exiting anyway`);
      process.exit(1);
    }, CLOSE_TIMEOUT_MS).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  console.log('Courier demo: starting the reference broker and bundling the page from @courier/browser…');
  const demo = await startDemo({ host: args.host, port: args.port, wsPort: args.wsPort, httpPort: args.httpPort });
  try {
    if (!controller.signal.aborted) await show(demo, args, controller.signal);
    await interrupted;
  } finally {
    await demo.close();
    console.log('stopped');
  }
  // The broker, the page server and the clients are closed; a page bundle still being built
  // (Ctrl-C right after start) would hold the process for nothing.
  process.exit();
}

/** Prints the addresses, runs the matrices unless asked not to, and leaves the page running. */
async function show(demo: Demo, args: DemoArgs, signal: AbortSignal): Promise<void> {
  console.log(`
  broker  ${demo.mqttUrl} (TCP)  ${demo.wsUrl} (WebSocket)
  page    ${demo.pageUrl}
          open it to publish at each QoS, cut the connection mid-flow, reload with messages owed
          and crash the subscriber with messages in hand`);
  if (args.pageOnly) return;
  await runMatrices(demo, args, signal).catch((error: unknown) => {
    console.error(`courier demo: the QoS matrix failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  });
  if (!signal.aborted) console.log(`\nThe page is still at ${demo.pageUrl} — Ctrl-C stops the broker and the page.`);
}

main().catch((error: unknown) => {
  console.error(`courier demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
