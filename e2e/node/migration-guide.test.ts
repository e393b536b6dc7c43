// docs/migrating-from-mqttjs.md, kept honest: its Courier example runs as printed against the
// reference broker, and every Courier option its table names is an option of the Node client.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { repository } from '../support/readme';

const guide = readFileSync(`${repository}docs/migrating-from-mqttjs.md`, 'utf8');
let broker: Broker;
beforeAll(async () => {
  broker = await createBroker({ port: 0 });
});
afterAll(() => broker.close());

test('the Courier side of "The same program in both" runs as printed and prints what it received', async () => {
  const code = guide.slice(guide.indexOf('\nCourier:\n')).match(/```js\n([\s\S]*?)```/)![1]!;
  const file = `${repository}.cache/migration-example.mjs`;
  // The example leaves its client open, as a service would: the harness ends it once the line is out.
  writeFileSync(file, `${code.replace('mqtt://127.0.0.1:1883', `mqtt://127.0.0.1:${broker.port}`)}\nsetTimeout(() => client.end(), 300);\n`);
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@courier/source', '--import', 'tsx', file], { cwd: repository, timeout: 20_000 });
  expect(stdout).toBe('readings/meter-7 12.5\n');
});

test('every Courier option in the options table is an option of the Node client', () => {
  // Every source file of the two packages: where a type lives may change, what it declares not.
  const sources = ['packages/core/src', 'packages/node-transport/src']
    .flatMap((folder) => readdirSync(`${repository}${folder}`, { recursive: true, encoding: 'utf8' }).map((file) => `${repository}${folder}/${file}`))
    .filter((path) => path.endsWith('.ts'))
    .map((path) => readFileSync(path, 'utf8'))
    .join('\n');
  const table = guide.slice(guide.indexOf('## Options'), guide.indexOf('## Events'));
  const names = table
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| MQTT.js'))
    .flatMap((line) => [...line.split('|')[2]!.matchAll(/`(\w+)(?:[:(`])/g)].map((match) => match[1]!))
    // Not options: the outbox's factory, the call that connects, the properties object's own name.
    .filter((name) => !['fileOutbox', 'createClient', 'properties'].includes(name));
  expect(names.length).toBeGreaterThan(20);
  for (const name of new Set(names)) expect(sources, `option ${name}`).toMatch(new RegExp(`\\b${name}\\??:`));
});
