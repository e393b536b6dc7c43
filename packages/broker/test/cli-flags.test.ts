// Each broker flag of the CLI, started as a process, observed from a raw client: what CONNACK
// advertises and what the broker then does.
import type { ConnackPacket, ProtocolVersion } from '@courier/core';
import { afterEach, expect, it } from 'vitest';
import { startCli, startCliBroker } from './cli-process';
import { RawClient, within } from './helpers';

const raws: RawClient[] = [];
afterEach(() => {
  for (const raw of raws.splice(0)) raw.destroy();
});

async function connect(port: number, version: ProtocolVersion, extra: { keepAlive?: number } = {}): Promise<[RawClient, ConnackPacket]> {
  const client = await RawClient.open(port, version);
  raws.push(client);
  client.send({ type: 'connect', protocolVersion: version, clientId: `flags-${raws.length}`, clean: true, keepAlive: extra.keepAlive ?? 0 });
  return [client, await client.next('connack')];
}

const payload = (size: number) => new Uint8Array(size);

it('--receive-maximum 2: advertised in CONNACK, and a third unreleased QoS 2 PUBLISH is DISCONNECT 0x93', async () => {
  const { port } = await startCliBroker(['--receive-maximum', '2']);
  const [client, connack] = await connect(port, 5);
  expect(connack.properties?.receiveMaximum).toBe(2);
  for (const packetId of [1, 2, 3]) client.send({ type: 'publish', topic: 't', payload: payload(1), qos: 2, dup: false, retain: false, packetId });
  expect(await client.next('disconnect')).toMatchObject({ reasonCode: 0x93 });
  await client.waitClosed();
}, 30_000);

it('--server-keep-alive 7: CONNACK tells a 5.0 client asking for 60 s to use 7 s, and leaves one asking for 5 s alone', async () => {
  const { port } = await startCliBroker(['--server-keep-alive', '7']);
  const [, told] = await connect(port, 5, { keepAlive: 60 });
  expect(told.properties?.serverKeepAlive).toBe(7);
  const [, left] = await connect(port, 5, { keepAlive: 5 });
  expect(left.properties?.serverKeepAlive).toBeUndefined();
}, 30_000);

it('--max-packet-size 256: advertised in CONNACK, and a 300-byte PUBLISH is DISCONNECT 0x95', async () => {
  const { port } = await startCliBroker(['--max-packet-size', '256']);
  const [client, connack] = await connect(port, 5);
  expect(connack.properties?.maximumPacketSize).toBe(256);
  client.send({ type: 'publish', topic: 't', payload: payload(300), qos: 0, dup: false, retain: false });
  expect(await client.next('disconnect')).toMatchObject({ reasonCode: 0x95 });
  await client.waitClosed();
}, 30_000);

it('--topic-alias-maximum 3: advertised in CONNACK; alias 3 is taken, alias 4 is DISCONNECT 0x94', async () => {
  const { port } = await startCliBroker(['--topic-alias-maximum', '3']);
  const [client, connack] = await connect(port, 5);
  expect(connack.properties?.topicAliasMaximum).toBe(3);
  const publish = { type: 'publish', payload: payload(1), qos: 1, dup: false, retain: false } as const;
  client.send({ ...publish, topic: 'a', packetId: 1, properties: { topicAlias: 3 } });
  client.send({ ...publish, topic: '', packetId: 2, properties: { topicAlias: 3 } });
  expect(await client.next('puback')).toMatchObject({ packetId: 1 });
  expect(await client.next('puback')).toMatchObject({ packetId: 2 });
  client.send({ ...publish, topic: 'b', packetId: 3, properties: { topicAlias: 4 } });
  expect(await client.next('disconnect')).toMatchObject({ reasonCode: 0x94 });
}, 30_000);

it('--topic-alias-maximum 0: CONNACK offers no topic aliases', async () => {
  const { port } = await startCliBroker(['--topic-alias-maximum', '0']);
  const [, connack] = await connect(port, 5);
  expect(connack.properties?.topicAliasMaximum).toBeUndefined();
}, 30_000);

it.each([5, 4] as const)(
  '--deny-subscribe (twice): MQTT %s gets 0x80 for a denied filter and for filters it covers, and the rest is granted',
  async (version) => {
    const { cli, port } = await startCliBroker(['--deny-subscribe', 'test/nosubscribe', '--deny-subscribe', 'private/#']);
    const [client] = await connect(port, version);
    const filters = ['test/nosubscribe', 'private/#', 'private/a/+', '$share/g/private/b', 'test/+', '#', 'test/nosubscribe/more'];
    client.send({ type: 'subscribe', packetId: 7, subscriptions: filters.map((topicFilter) => ({ topicFilter, qos: 1 })) });
    expect((await client.next('suback')).reasonCodes).toEqual([0x80, 0x80, 0x80, 0x80, 1, 1, 1]);
    await cli.waitFor(/subscription to test\/nosubscribe denied/);
  },
  30_000,
);

it.each([
  [['--receive-maximum', '0'], '--receive-maximum must be a whole number from 1 to 65535, not "0"'],
  [['--deny-subscribe', 'a/#/b'], '--deny-subscribe "a/#/b" is not a valid topic filter'],
])('refuses %j: says why on stderr, then the usage, and exits 2 without listening', async (args, message) => {
  const cli = startCli(['--port', '0', ...args]);
  expect(await within(cli.exited, 'the CLI to exit', 15_000)).toBe(2);
  const output = cli.lines.join('\n');
  expect(output).toContain(`courier-broker: ${message}`);
  expect(output).toContain('Usage: courier-broker');
  expect(output).not.toContain('listening on');
}, 30_000);
