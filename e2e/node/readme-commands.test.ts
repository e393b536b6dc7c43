// Every command README.md prints, and the test that runs it as printed (only ports and the
// clone's path changed), or why none does. A command added to the README without an entry here
// fails, so that "run by a test" stays a fact. The two --help commands are cheap: run here.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { repository } from '../support/readme';
import { runShell } from '../support/shell';

/** A test that runs the command, and a string that test contains because it does. */
type Coverage = { test: string; contains: string } | { notRun: string };

const COVERAGE: Record<string, Coverage> = {
  'npm run broker -- --port 1883 --ws-port 8083': { test: 'e2e/node/readme-broker-command.test.ts', contains: "readmeBlock('### A broker to try them with', 'sh')" },
  'npm run broker -- --help': { test: 'e2e/node/readme-commands.test.ts', contains: "runShell('npm run broker -- --help'" },
  'npm start -- --help': { test: 'e2e/node/readme-commands.test.ts', contains: "runShell('npm start -- --help'" },
  'npm run pack': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: "blocks('## Use it in your app')" },
  'mkdir my-service && cd my-service && npm init -y': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: "blocks('### In a Node project')" },
  'mkdir my-page && cd my-page && npm init -y': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: "blocks('### In a Vite app')" },
  'npm install /path/to/courier/packs/*.tgz': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: "replaceAll('/path/to/courier', clone)" },
  'npm install -D vite@8': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: "blocks('### In a Vite app')" },
  'node main.mjs': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: "runShell('node main.mjs', project)" },
  'node main.cjs': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: "runShell('node main.cjs', project)" },
  'npx vite build': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: "runShell('npx vite build', app" },
  'npx vite': { test: 'e2e/browser/use-it-in-your-app.spec.ts', contains: 'startShell(`npx vite --port' },
  'npm start': { test: 'e2e/node/demo-cli.test.ts', contains: 'startDemoProcess' },
  'npm install && npm start': { test: 'e2e/node/demo-cli.test.ts', contains: 'startDemoProcess' },
  'npm run docs': { test: 'e2e/node/docs.test.ts', contains: "[typedoc, '--out'" },
  'npm test': { notRun: 'it is the test run itself; CI runs it through .ci/run' },
  'COURIER_RABBITMQ_CLUSTER=1 npx vitest run --project e2e e2e/node/rabbitmq-cluster.test.ts': {
    notRun: 'three RabbitMQ nodes take 20 to 45 s to start, too long for npm test; run by hand, figures in RELIABILITY.md',
  },
  'npm install && npm test': { notRun: 'CI: .ci/run on a clean clone (npm ci, then npm test)' },
  'npm install': { notRun: 'CI: .ci/run runs npm ci, the locked form of it' },
  'npm ci': { notRun: 'CI: .ci/run' },
  'npm run build': { notRun: 'npm test builds with the same rollup config before its tests' },
  'node examples/custom-transport/main.mjs': { test: 'e2e/node/examples-custom-transport.test.ts', contains: "'examples/custom-transport/main.mjs'" },
  'npm run example:node': { notRun: 'e2e/node/examples-node-sensor.test.ts runs examples/node-sensor/main.mjs without the 20 s rebuild' },
  'npm run example:web': { notRun: 'e2e/browser/example-web-qos2.spec.ts builds examples/web-qos2 with Vite without the rebuild' },
  'npm run bench': { notRun: 'a benchmark, minutes long; figures in bench/RESULTS.md' },
  'npm run bench:codec': { notRun: 'a benchmark, minutes long; figures in bench/RESULTS.md' },
  'npm run bench:memory': { notRun: 'a benchmark, minutes long; figures in bench/RESULTS.md' },
  'npm run bench:broker': { notRun: 'a benchmark, minutes long; figures in bench/RESULTS.md' },
  'npm run bench:bundle': { notRun: 'a benchmark, minutes long; figures in bench/RESULTS.md' },
  'npm run bench:outbox': { notRun: 'a benchmark, minutes long; figures in bench/RESULTS.md' },
  'npm run bench:e2e': { notRun: 'a benchmark, minutes long; figures in bench/RESULTS.md' },
  'COURIER_FUZZ_FRAMES=1000000 npx vitest run --project src packages/core/test/codec/fuzz': { notRun: 'the long run; npm test runs the same tests at their default size' },
  'COURIER_PROPERTY_RUNS=10000 npx vitest run --project src packages/core/test/codec': { notRun: 'the long run; npm test runs the same tests at their default size' },
};

/** The commands in README.md: each line of a ```sh block (comments left out), and `npm|npx|node ...` code spans. */
function readmeCommands(): Set<string> {
  const readme = readFileSync(`${repository}README.md`, 'utf8');
  const commands = new Set<string>();
  for (const [, block] of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block!.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '') commands.add(command);
    }
  }
  for (const [, command] of readme.matchAll(/`((?:npm|npx|node) [^`]+)`/g)) commands.add(command!);
  return commands;
}

test('every command in README.md is run by a named test, or says why not', () => {
  for (const command of readmeCommands()) {
    const coverage = COVERAGE[command];
    expect(coverage, `README.md prints \`${command}\`: add it to COVERAGE with the test that runs it`).toBeDefined();
    if (coverage === undefined || 'notRun' in coverage) continue;
    expect(readFileSync(`${repository}${coverage.test}`, 'utf8'), `${coverage.test} runs \`${command}\``).toContain(coverage.contains);
  }
});

test('`npm run broker -- --help` and `npm start -- --help`, as printed, print their usage', async () => {
  expect(await runShell('npm run broker -- --help', repository)).toContain('Usage: courier-broker [--port 1883] [--ws-port 8083]');
  expect(await runShell('npm start -- --help', repository)).toContain('Usage: npm start -- [--port N] [--ws-port N] [--http-port N]');
}, 30_000);
