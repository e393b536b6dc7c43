// The connection lost at every step of the QoS 1 and QoS 2 sender flows, in both versions, with
// the broker keeping the session or not. Whatever the step, the message completes exactly once,
// a resend of a PUBLISH that went out carries DUP=1 and its original id, and the outbox ends empty.
import { describe, expect, test } from 'vitest';
import type { Packet, PublishPacket } from '@courier/core';
import { publishes, SessionHarness, trace } from './session-harness';

type Step = 'before the send' | 'after PUBLISH' | 'after PUBREC' | 'after PUBREL, before PUBCOMP';

const steps: [1 | 2, Step][] = [
  [1, 'before the send'],
  [1, 'after PUBLISH'],
  [2, 'before the send'],
  [2, 'after PUBLISH'],
  [2, 'after PUBREC'],
  [2, 'after PUBREL, before PUBCOMP'],
];

/** Plays the flow up to `step`, then loses the connection. */
function playUntil(h: SessionHarness, qos: 1 | 2, step: Step): void {
  h.connect();
  if (step === 'before the send') h.autoStore = false; // the write-ahead is not durable yet
  h.publish(1, qos);
  if (step === 'after PUBREC') h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
  if (step === 'after PUBREL, before PUBCOMP') {
    h.receive({ type: 'pubrec', packetId: 1, reasonCode: 0 });
    expect(trace(h.sent()).at(-1)).toBe('PUBREL 1');
  }
  h.disconnect();
  if (step === 'before the send') {
    h.autoStore = true;
    h.store();
  }
}

/** Answers what the client sends, as a broker would, until the flow completes. */
function brokerAnswers(h: SessionHarness, packets: Packet[]): void {
  for (const packet of packets) {
    if (packet.type === 'publish' && packet.qos === 1) h.receive({ type: 'puback', packetId: packet.packetId!, reasonCode: 0 });
    if (packet.type === 'publish' && packet.qos === 2) brokerAnswers(h, [...h.receive({ type: 'pubrec', packetId: packet.packetId!, reasonCode: 0 })].flatMap((a) => (a.type === 'send' ? [a.packet] : [])));
    if (packet.type === 'pubrel') h.receive({ type: 'pubcomp', packetId: packet.packetId, reasonCode: 0 });
  }
}

describe.each([4, 5] as const)('MQTT %s: connection lost', (protocolVersion) => {
  test.each(steps)('QoS %i %s, session kept: resent as the spec says, completed once', (qos, step) => {
    const h = new SessionHarness({ protocolVersion, clean: false });
    playUntil(h, qos, step);
    h.take();
    h.connect({ sessionPresent: true });
    const resent = h.sent().filter((p) => p.type !== 'connect');
    const expected: Record<Step, string> = {
      'before the send': `PUBLISH q${qos} 1`, // never went out: DUP=0
      'after PUBLISH': `PUBLISH q${qos} 1 dup`,
      'after PUBREC': 'PUBREL 1',
      'after PUBREL, before PUBCOMP': 'PUBREL 1',
    };
    expect(trace(resent)).toEqual([expected[step]]);
    brokerAnswers(h, resent);
    expect(h.settlements().filter((s) => s.id === 1)).toEqual([expect.objectContaining({ result: expect.objectContaining({ id: 1, qos }) })]);
    expect(h.outbox.size).toBe(0);
    expect(h.session.isIdle()).toBe(true);
  });

  test.each(steps)('QoS %i %s, session lost: published again as new or settled as delivered, once', (qos, step) => {
    const h = new SessionHarness({ protocolVersion, clean: false });
    playUntil(h, qos, step);
    h.take();
    h.connect({ sessionPresent: false });
    const resent = h.sent().filter((p) => p.type !== 'connect');
    if (step === 'after PUBREC' || step === 'after PUBREL, before PUBCOMP') {
      expect(resent).toEqual([]); // the broker had it: done
    } else {
      const [again] = publishes(resent) as PublishPacket[];
      expect(again).toMatchObject({ qos, dup: false }); // a new message for the new session
    }
    brokerAnswers(h, resent);
    expect(h.settlements().filter((s) => s.id === 1)).toHaveLength(1);
    expect(h.outbox.size).toBe(0);
  });
});
