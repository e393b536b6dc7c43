import { expect, test } from 'vitest';
import { AckDeadlines } from '../../src/session/ack-deadlines';
import { newRecord, ON_WIRE, OutgoingMessage } from '../../src/session/outgoing-message';

function sent(id: number, at: number): OutgoingMessage {
  const message = new OutgoingMessage(newRecord(id, { topic: 't', payload: new Uint8Array(0), qos: 1, retain: false }, id));
  message.set(ON_WIRE, true);
  message.sentAt = at;
  return message;
}

test('one message left waiting while 10,000 sent after it are acked: the entries stay proportional to what waits', () => {
  const deadlines = new AckDeadlines();
  const stuck = sent(1, 0);
  deadlines.push(stuck);
  for (let id = 2; id <= 10_001; id++) {
    const message = sent(id, id);
    deadlines.push(message);
    message.set(ON_WIRE, false); // acked
    expect(deadlines.entries).toBeLessThanOrEqual(1024);
  }
  expect(deadlines.first()).toBe(stuck);
  expect(deadlines.sentBy(5_000)).toEqual([stuck]);
});

test('a message sent again is due from its last send only, and once', () => {
  const deadlines = new AckDeadlines();
  const a = sent(1, 10);
  const b = sent(2, 20);
  deadlines.push(a);
  deadlines.push(b);
  a.sentAt = 30; // resent
  deadlines.push(a);
  expect(deadlines.first()).toBe(b);
  expect(deadlines.sentBy(25)).toEqual([b]);
  expect(deadlines.sentBy(30)).toEqual([b, a]);
  b.sentAt = 30; // resent in the same millisecond as a
  deadlines.push(b);
  deadlines.push(b); // twice (a PUBLISH, then its PUBREL), still once
  expect(deadlines.sentBy(30)).toEqual([a, b]);
});
