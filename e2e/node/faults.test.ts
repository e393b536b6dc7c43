// Every step of the QoS 1 and 2 flows broken on purpose by the reference broker, on the
// publisher's side and on the subscriber's, in 3.1.1 (which resends in-session after the ack
// timeout) and 5.0 (which reconnects to resend). QoS 1 is never lost, QoS 2 never lost and never
// duplicated, every publish settles, and every resent PUBLISH carries DUP=1.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker, type Fault, type TapEvent } from '@courier/broker';
import { connect, type MqttClient } from '@courier/node';
import { Receiver } from '../support/receiver';

const MESSAGES = 5;

interface Scenario {
  side: 'publisher' | 'subscriber';
  step: string;
  qos: 1 | 2;
  fault: Omit<Fault, 'clientId'>;
}

const drop = (direction: 'in' | 'out', type: Fault['type']): Omit<Fault, 'clientId'> => ({ direction, type, action: 'drop' });
const cutAfter = (direction: 'in' | 'out', type: Fault['type']): Omit<Fault, 'clientId'> => ({ direction, type, action: 'cut-after' });

// Directions are the broker's: 'in' is what the client sends, 'out' what the broker sends.
const scenarios: Scenario[] = [
  { side: 'publisher', step: 'the PUBACK dropped', qos: 1, fault: drop('out', 'puback') },
  { side: 'publisher', step: 'the PUBREC dropped', qos: 2, fault: drop('out', 'pubrec') },
  { side: 'publisher', step: 'the PUBREL dropped', qos: 2, fault: drop('in', 'pubrel') },
  { side: 'publisher', step: 'the PUBCOMP dropped', qos: 2, fault: drop('out', 'pubcomp') },
  { side: 'publisher', step: 'the connection cut right after the PUBLISH', qos: 1, fault: cutAfter('in', 'publish') },
  { side: 'publisher', step: 'the connection cut right after the PUBLISH', qos: 2, fault: cutAfter('in', 'publish') },
  { side: 'publisher', step: 'the connection cut right after the PUBREC', qos: 2, fault: cutAfter('out', 'pubrec') },
  { side: 'publisher', step: 'the connection cut right after the PUBREL', qos: 2, fault: cutAfter('in', 'pubrel') },
  { side: 'subscriber', step: 'the PUBACK dropped', qos: 1, fault: drop('in', 'puback') },
  { side: 'subscriber', step: 'the PUBREC dropped', qos: 2, fault: drop('in', 'pubrec') },
  { side: 'subscriber', step: 'the PUBREL dropped', qos: 2, fault: drop('out', 'pubrel') },
  { side: 'subscriber', step: 'the PUBCOMP dropped', qos: 2, fault: drop('in', 'pubcomp') },
  { side: 'subscriber', step: 'the connection cut right after the PUBLISH', qos: 1, fault: cutAfter('out', 'publish') },
  { side: 'subscriber', step: 'the connection cut right after the PUBLISH', qos: 2, fault: cutAfter('out', 'publish') },
  { side: 'subscriber', step: 'the connection cut right after the PUBREC', qos: 2, fault: cutAfter('in', 'pubrec') },
  { side: 'subscriber', step: 'the connection cut right after the PUBREL', qos: 2, fault: cutAfter('out', 'pubrel') },
];

let broker: Broker;
let clients: MqttClient[] = [];
let tapped: TapEvent[] = [];

beforeAll(async () => {
  broker = await createBroker({ port: 0 });
  broker.tap((event) => tapped.push(event));
});
afterAll(() => broker.close());
afterEach(async () => {
  broker.clearFaults();
  await Promise.all(clients.map((client) => client.end({ force: true })));
  clients = [];
  tapped = [];
});

/**
 * Every PUBLISH that resends a flow still open (its packet id not yet acknowledged) must carry
 * DUP=1 [MQTT-3.3.1-1]. A duplicate QoS 1 message forwarded as a new delivery opens a new flow,
 * with DUP=0: the broker never passes DUP on [MQTT-3.3.1-3].
 */
function resendsWithoutDup(clientId: string, direction: 'in' | 'out'): string[] {
  const open = new Set<number>();
  const bad: string[] = [];
  const acks = direction === 'in' ? 'out' : 'in';
  for (const event of tapped) {
    if (event.clientId !== clientId || event.fault === 'dropped') continue;
    const { packet } = event;
    if (event.direction === direction && packet.type === 'publish' && packet.qos > 0) {
      if (open.has(packet.packetId!) && !packet.dup) bad.push(`packet ${packet.packetId} resent without DUP`);
      open.add(packet.packetId!);
    }
    // The flow of a packet id ends with PUBACK, with PUBREC (a PUBLISH is never resent after it)
    // or when the connection is lost and the session ends; here sessions are kept.
    if (event.direction === acks && (packet.type === 'puback' || packet.type === 'pubrec')) open.delete(packet.packetId);
  }
  return bad;
}

/** Waits until `condition` holds, checking after every packet the broker taps. */
function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    const stop = broker.tap(() => {
      if (!condition()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

describe.each([4, 5] as const)('MQTT %s under injected faults', (protocolVersion) => {
  test.each(scenarios)('$side side, $step, QoS $qos: nothing lost, QoS 2 not doubled, DUP on every resend', async ({ side, step, qos, fault }) => {
    const tag = `${protocolVersion}-${side}-${step.replace(/\W+/g, '-')}-${qos}`;
    const options = {
      protocolVersion,
      clean: false,
      ackTimeoutMs: 300,
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
    };
    const subscriberId = `sub-${tag}`;
    const publisherId = `pub-${tag}`;
    const subscriber = await connect(`mqtt://127.0.0.1:${broker.port}`, { ...options, clientId: subscriberId });
    clients.push(subscriber);
    const receiver = new Receiver(subscriber);
    await subscriber.subscribe(`faults/${tag}`, { qos: 2 });
    const publisher = await connect(`mqtt://127.0.0.1:${broker.port}`, { ...options, clientId: publisherId });
    clients.push(publisher);

    const victim = side === 'publisher' ? publisherId : subscriberId;
    const injected = broker.inject({ ...fault, clientId: victim });
    const results = await Promise.all(
      Array.from({ length: MESSAGES }, (_, i) => publisher.publish(`faults/${tag}`, String(i), { qos })),
    );
    expect(results.every((r) => r.qos === qos)).toBe(true);
    await receiver.waitFor(MESSAGES);
    await eventually(() => injected.hits === 1, 'the fault to hit');

    if (side === 'subscriber' && fault.action === 'drop') {
      // The broker waits for an ack that was lost: a new connection makes it resend [MQTT-4.4.0-1].
      const final = qos === 1 ? 'puback' : 'pubcomp';
      const completed = () =>
        tapped.filter((e) => e.clientId === subscriberId && e.direction === 'in' && e.packet.type === final && e.fault === undefined).length;
      const before = completed();
      broker.dropClient(subscriberId);
      await eventually(() => completed() > before, `the subscriber's ${final.toUpperCase()} after the reconnect`);
    }
    if (qos === 2) expect(receiver.duplicates()).toEqual([]);
    expect(resendsWithoutDup(publisherId, 'in')).toEqual([]);
    expect(resendsWithoutDup(subscriberId, 'out')).toEqual([]);
  });
});
