// The same scenarios through the 3.1.1 and the 5.0 policy: each row is one thing that differs
// between the versions, and what each version does. A row whose two outcomes were equal would
// show no difference, so that is checked too.
import { describe, expect, test } from 'vitest';
import { DecodeError, type ProtocolVersion } from '@courier/core';
import { SessionHarness, trace } from './session-harness';

interface Scenario {
  name: string;
  /** What the session did, in a form both versions can be compared on. */
  run(version: ProtocolVersion): unknown;
  v4: unknown;
  v5: unknown;
}

function connected(version: ProtocolVersion, options: ConstructorParameters<typeof SessionHarness>[0] = {}): SessionHarness {
  const h = new SessionHarness({ protocolVersion: version, ...options });
  h.connect();
  h.take();
  return h;
}

function qos1(packetId: number) {
  return { type: 'publish' as const, topic: 't', payload: new Uint8Array(0), qos: 1 as const, dup: false, retain: false, packetId };
}

const scenarios: Scenario[] = [
  {
    name: 'CONNECT carries the session options as properties',
    run: (version) => {
      const h = new SessionHarness({ protocolVersion: version, receiveMaximum: 10, sessionExpiryInterval: 60 });
      h.handle({ type: 'connectionOpened' });
      return (h.sent()[0] as { properties?: unknown }).properties;
    },
    v4: undefined,
    v5: { receiveMaximum: 10, sessionExpiryInterval: 60 },
  },
  {
    name: "the broker's Receive Maximum bounds what is in flight",
    run: (version) => {
      const h = new SessionHarness({ protocolVersion: version });
      h.connect({ properties: { receiveMaximum: 1 } });
      h.take();
      h.publish(1, 1);
      h.publish(2, 1);
      return trace(h.sent());
    },
    v4: ['PUBLISH q1 1', 'PUBLISH q1 2'],
    v5: ['PUBLISH q1 1'],
  },
  {
    name: '[MQTT-4.4.0-1] an ack timeout resends in-session, or reconnects to resend',
    run: (version) => {
      const h = connected(version, { ackTimeoutMs: 1000 });
      h.publish(1, 1);
      h.take();
      const actions = h.advance(1000);
      return { sent: trace(h.sent()), closed: h.closes(actions).length };
    },
    v4: { sent: ['PUBLISH q1 1 dup'], closed: 0 },
    v5: { sent: [], closed: 1 },
  },
  {
    name: "[MQTT-4.4.0-2] an ack's reason code of 0x80 or more refuses the message",
    run: (version) => {
      const h = connected(version);
      h.publish(1, 1);
      h.receive({ type: 'puback', packetId: 1, reasonCode: 0x97 });
      return h.settlements()[0]?.error?.code;
    },
    v4: undefined,
    v5: 'ERR_PUBLISH_REJECTED',
  },
  {
    name: "a publish result reports the ack's reason code",
    run: (version) => {
      const h = connected(version);
      h.publish(1, 1);
      h.receive({ type: 'puback', packetId: 1, reasonCode: 0x10 });
      return h.settlements()[0]?.result;
    },
    v4: { id: 1, qos: 1, packetId: 1 },
    v5: { id: 1, qos: 1, packetId: 1, reasonCode: 0x10 },
  },
  {
    name: 'a PUBREL for an unknown packet id gets PUBCOMP, with 0x92 where there are reason codes',
    run: (version) => {
      const h = connected(version);
      h.receive({ type: 'pubrel', packetId: 7 });
      return trace(h.sent());
    },
    v4: ['PUBCOMP 7'],
    v5: ['PUBCOMP 7 rc92'],
  },
  {
    name: 'a malformed packet is answered with DISCONNECT before closing',
    run: (version) => {
      const h = connected(version);
      h.handle({ type: 'decodeFailed', error: new DecodeError(0x81, 'bad') });
      return trace(h.sent());
    },
    v4: [],
    v5: ['DISCONNECT rc81'],
  },
  {
    name: 'a clean DISCONNECT carries the reason code and properties asked for',
    run: (version) => {
      const h = connected(version);
      h.handle({ type: 'disconnectRequested', reasonCode: 0x04, properties: { reasonString: 'bye' } });
      return h.sent();
    },
    v4: [{ type: 'disconnect' }],
    v5: [{ type: 'disconnect', reasonCode: 0x04, properties: { reasonString: 'bye' } }],
  },
  {
    name: 'our Receive Maximum bounds what the broker may leave unacknowledged (past it: reported)',
    run: (version) => {
      const h = connected(version, { receiveMaximum: 1 });
      h.handle({ type: 'deliveryHeld', held: true }); // held messages stay unacknowledged
      h.receive(qos1(1));
      const actions = h.receive(qos1(2));
      return h.overflows(actions).length;
    },
    v4: 0,
    v5: 1,
  },
  {
    name: 'a refusal for the protocol version falls back to 3.1.1 once',
    run: (version) => {
      const h = new SessionHarness({ protocolVersion: version });
      h.handle({ type: 'connectionOpened' });
      const actions = h.receive({ type: 'connack', sessionPresent: false, reasonCode: 0x01 });
      return { retry: h.events(actions).find((e) => e.name === 'refused')?.retry, next: h.session.protocolVersion };
    },
    v4: { retry: 'never', next: 4 },
    v5: { retry: 'now', next: 4 },
  },
  {
    name: 'a refusal is described by its name',
    run: (version) => {
      const h = new SessionHarness({ protocolVersion: version });
      h.handle({ type: 'connectionOpened' });
      const actions = h.receive({ type: 'connack', sessionPresent: false, reasonCode: version === 5 ? 0x87 : 0x05 });
      return h.closes(actions)[0]?.message;
    },
    v4: 'the broker refused the connection: not authorized',
    v5: 'the broker refused the connection: 0x87 Not authorized',
  },
  {
    name: 'SUBSCRIBE options of 5.0 are refused in 3.1.1 (at once, or after a fallback), never sent without them',
    run: (version) => {
      const h = new SessionHarness({ protocolVersion: version });
      h.handle({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'a', qos: 1, noLocal: true }] });
      h.handle({ type: 'subscribeRequested', id: 2, subscriptions: [{ topicFilter: 'b', qos: 1 }] });
      const atRequest = h.settlements().map((s) => s.error?.code);
      h.handle({ type: 'connectionOpened' });
      h.receive({ type: 'connack', sessionPresent: false, reasonCode: 0x84 });
      return { atRequest, afterRefusal: h.settlements().slice(atRequest.length).map((s) => s.error?.code) };
    },
    v4: { atRequest: ['ERR_INVALID_ARGUMENT'], afterRefusal: [] },
    v5: { atRequest: [], afterRefusal: ['ERR_INVALID_ARGUMENT'] },
  },
];

describe.each([
  { label: '3.1.1', version: 4 as const },
  { label: '5.0', version: 5 as const },
])('the $label policy', ({ version }) => {
  test.each(scenarios)('$name', (scenario) => {
    expect(scenario.run(version)).toEqual(version === 5 ? scenario.v5 : scenario.v4);
  });
});

test.each(scenarios)('"$name" is a difference between the versions', (scenario) => {
  expect(scenario.v4).not.toEqual(scenario.v5);
});
