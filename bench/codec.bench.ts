// `npm run bench:codec`: Courier's codec against mqtt-packet, side by side in one run.
// Prints a Markdown table (ops/s and the ratio) to paste into bench/RESULTS.md.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import mqttPacket from 'mqtt-packet';
import { encode, PacketDecoder, type Packet, type ProtocolVersion } from '@courier/core';
import { compare, formatOps } from './harness';

const rivalVersion = (createRequire(import.meta.url)('mqtt-packet/package.json') as { version: string }).version;

interface Case {
  name: string;
  version: ProtocolVersion;
  courier: Packet;
  rival: Record<string, unknown>;
}

const payload64 = new Uint8Array(64).fill(0x61);
const payload4k = new Uint8Array(4096).fill(0x62);
const topic = 'sensors/building-7/floor-3/temperature';

function publishCase(name: string, version: ProtocolVersion, payload: Uint8Array, withProperties: boolean): Case {
  const properties = { messageExpiryInterval: 3600, contentType: 'application/json' };
  return {
    name,
    version,
    courier: {
      type: 'publish',
      topic,
      payload,
      qos: 1,
      dup: false,
      retain: false,
      packetId: 4242,
      ...(withProperties ? { properties } : {}),
    },
    rival: {
      cmd: 'publish',
      topic,
      payload: Buffer.from(payload),
      qos: 1,
      dup: false,
      retain: false,
      messageId: 4242,
      ...(withProperties ? { properties } : {}),
    },
  };
}

const cases: Case[] = [
  publishCase('PUBLISH 64 B, QoS 1, 3.1.1', 4, payload64, false),
  publishCase('PUBLISH 4 KiB, QoS 1, 3.1.1', 4, payload4k, false),
  publishCase('PUBLISH 64 B, QoS 1, 5.0 + 2 properties', 5, payload64, true),
  publishCase('PUBLISH 4 KiB, QoS 1, 5.0 + 2 properties', 5, payload4k, true),
  {
    name: 'PUBACK, 3.1.1',
    version: 4,
    courier: { type: 'puback', packetId: 4242 },
    rival: { cmd: 'puback', messageId: 4242 },
  },
  {
    name: 'PUBACK, 5.0',
    version: 5,
    courier: { type: 'puback', packetId: 4242, reasonCode: 0 },
    rival: { cmd: 'puback', messageId: 4242, reasonCode: 0 },
  },
  {
    name: 'SUBSCRIBE, 3 filters, 3.1.1',
    version: 4,
    courier: {
      type: 'subscribe',
      packetId: 7,
      subscriptions: [
        { topicFilter: 'sensors/+/temperature', qos: 1 },
        { topicFilter: 'vehicles/#', qos: 2 },
        { topicFilter: 'alerts', qos: 0 },
      ],
    },
    rival: {
      cmd: 'subscribe',
      messageId: 7,
      subscriptions: [
        { topic: 'sensors/+/temperature', qos: 1 },
        { topic: 'vehicles/#', qos: 2 },
        { topic: 'alerts', qos: 0 },
      ],
    },
  },
  {
    name: 'CONNECT, user name + password, 3.1.1',
    version: 4,
    courier: {
      type: 'connect',
      protocolVersion: 4,
      clientId: 'dashboard-17',
      clean: false,
      keepAlive: 60,
      username: 'operator',
      password: new TextEncoder().encode('s3cret-passw0rd'),
    },
    rival: {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'dashboard-17',
      clean: false,
      keepalive: 60,
      username: 'operator',
      password: Buffer.from('s3cret-passw0rd'),
    },
  },
];

function parseContenders(c: Case) {
  const frame = encode(c.courier, c.version).slice();
  const rivalFrame = mqttPacket.generate(c.rival as never, { protocolVersion: c.version });
  if (Buffer.compare(Buffer.from(frame), rivalFrame) !== 0) throw new Error(`${c.name}: the two encoders disagree`);
  const decoder = new PacketDecoder(c.courier.type === 'connect' ? {} : { version: c.version });
  const parser = mqttPacket.parser({ protocolVersion: c.version });
  let parsed = 0;
  parser.on('packet', () => parsed++);
  parser.on('error', (error: Error) => {
    throw error;
  });
  return [
    { name: 'courier', run: () => decoder.push(frame).length },
    { name: 'mqtt-packet', run: () => (parser.parse(rivalFrame), parsed) },
  ];
}

function encodeContenders(c: Case) {
  const options = { protocolVersion: c.version };
  return [
    { name: 'courier', run: () => encode(c.courier, c.version).length },
    { name: 'mqtt-packet', run: () => mqttPacket.generate(c.rival as never, options).length },
  ];
}

console.log(`# codec: Courier vs mqtt-packet ${rivalVersion}`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
console.log('| packet | operation | Courier | mqtt-packet | ratio |');
console.log('|---|---|---:|---:|---:|');
for (const c of cases) {
  for (const [operation, contenders] of [
    ['parse', parseContenders(c)],
    ['encode', encodeContenders(c)],
  ] as const) {
    const [courier, rival] = compare(contenders);
    console.log(`| ${c.name} | ${operation} | ${formatOps(courier!)} | ${formatOps(rival!)} | ${(courier! / rival!).toFixed(2)}× |`);
  }
}
