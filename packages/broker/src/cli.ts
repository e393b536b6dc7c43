import { createBroker } from './broker';
import { type CliOptions, parseCliArgs, tunablesOf, USAGE } from './cli-args';
import { cliAuthOptions } from './cli-auth';
import { fileSessionStore } from './file-session-store';

function line(text: string): void {
  console.log(`${new Date().toISOString()} ${text}`);
}

async function main(): Promise<void> {
  // Whoever reads the log may go away first (a closed pipe): the broker keeps running regardless.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`courier-broker: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const auth = options.auth === undefined ? undefined : cliAuthOptions(options.auth);
  if (auth !== undefined) line(`SCRAM-SHA-256 authentication for ${auth.users} user(s)`);
  const broker = await createBroker({
    ...auth?.options,
    host: options.host,
    port: options.port,
    ...(options.wsPort === undefined ? {} : { wsPort: options.wsPort }),
    ...(options.sessionStore === undefined ? {} : { sessionStore: fileSessionStore(options.sessionStore) }),
    ...tunablesOf(options),
    log: line,
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    line(`${signal}: closing`);
    broker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`courier-broker: closing failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`courier-broker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
