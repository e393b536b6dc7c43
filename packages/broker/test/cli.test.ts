// The CLI, spawned from source as the README says to run it from the build, stopped by pid.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IConnackPacket } from 'mqtt';
import { expect, it } from 'vitest';
import { startCli as start } from './cli-process';
import { within } from './helpers';

it.each(['SIGINT', 'SIGTERM'] as const)(
  'starts where it is told, logs each connection and disconnection, and stops cleanly on %s',
  async (signal) => {
    const cli = start(['--port', '0', '--ws-port', '0']);
    const [, port, wsPort] = await cli.waitFor(/listening on mqtt:\/\/127\.0\.0\.1:(\d+) and ws:\/\/127\.0\.0\.1:(\d+)/);
    for (const url of [`mqtt://127.0.0.1:${port}`, `ws://127.0.0.1:${wsPort}`]) {
      const client = await mqtt.connectAsync(url, { clientId: 'cli-test', reconnectPeriod: 0, protocolVersion: 5 });
      await client.publishAsync('t', 'x', { qos: 1 });
      await client.endAsync();
    }
    await cli.waitFor(/cli-test connected \(MQTT 5\.0, ws /);
    await cli.waitFor(/cli-test disconnected \(DISCONNECT\)/);
    expect(cli.lines.filter((line) => / cli-test (connected|disconnected)/.test(line))).toHaveLength(4);

    cli.child.kill(signal);
    expect(await within(cli.exited, 'the CLI to exit', 10_000)).toBe(0);
  },
  30_000,
);

it('prints its usage and exits 2 on a bad argument', async () => {
  const cli = start(['--port', 'nope']);
  expect(await within(cli.exited, 'the CLI to exit', 15_000)).toBe(2);
  expect(cli.lines.join('\n')).toContain('Usage: courier-broker');
});

it('keeps persistent sessions across a restart with --session-store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'courier-cli-sessions-'));
  try {
    const file = join(dir, 'sessions.json');
    const options = { clientId: 'cli-keeper', clean: false, reconnectPeriod: 0 } as const;
    const first = start(['--port', '0', '--session-store', file]);
    const [, port] = await first.waitFor(/listening on mqtt:\/\/127\.0\.0\.1:(\d+)/);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, options);
    await client.subscribeAsync('kept', { qos: 1 });
    await client.endAsync();
    first.child.kill('SIGTERM');
    expect(await within(first.exited, 'the CLI to exit', 10_000)).toBe(0);

    const second = start(['--port', port!, '--session-store', file]);
    await second.waitFor(/restored 1 session\(s\)/);
    await second.waitFor(/listening on/);
    const again = mqtt.connect(`mqtt://127.0.0.1:${port}`, options);
    const connack = await within(
      new Promise<IConnackPacket>((resolve, reject) => {
        again.once('connect', resolve);
        again.once('error', reject);
      }),
      'CONNACK',
    );
    await again.endAsync();
    expect(connack.sessionPresent).toBe(true);
    second.child.kill('SIGTERM');
    expect(await within(second.exited, 'the CLI to exit', 10_000)).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
