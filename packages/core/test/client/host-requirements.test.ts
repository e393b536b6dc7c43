// A host without TextEncoder or TextDecoder (some React Native engines, embedded runtimes) gets a
// typed error that names what is missing when it creates a client, not a ReferenceError from an
// import or a failure inside the codec. Run in a child process that deletes them from globalThis
// before @courier/core is first imported, as such a host would load it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

const SCRIPT = `
for (const name of process.argv[1].split(',').filter(Boolean)) delete globalThis[name];
const { createClient } = await import('@courier/core');
try {
  const client = createClient({ clientId: 'host-check', transport: { connect: () => new Promise(() => {}) }, reconnect: false });
  await client.end({ force: true });
  console.log('created');
} catch (error) {
  console.log(error.constructor.name, error.code, error.message);
}`;

async function createWithout(names: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@courier/source', '--import', 'tsx', '--input-type=module', '-e', SCRIPT, names.join(',')],
    { cwd: repo, timeout: 20_000 },
  );
  return stdout.trim();
}

test.each([
  [['TextEncoder'], 'TextEncoder'],
  [['TextDecoder'], 'TextDecoder'],
  [['TextEncoder', 'TextDecoder'], 'TextEncoder or TextDecoder'],
])('without %j, @courier/core imports and createClient throws InvalidArgumentError naming %s', async (names, named) => {
  expect(await createWithout(names)).toBe(
    `InvalidArgumentError ERR_INVALID_ARGUMENT this runtime has no ${named}, which MQTT strings need: install a polyfill before creating a client (docs/ports.md)`,
  );
}, 30_000);

test('with both present, the same script creates the client', async () => {
  expect(await createWithout([])).toBe('created');
}, 30_000);
