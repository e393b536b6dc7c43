import { describe, expect, test } from 'vitest';
import { HOLDS_QUOTA, newRecord, ON_WIRE, OutgoingMessage, RELEASING, SENT_ONCE, WAITING_TO_SEND } from '../../src/session/outgoing-message';

describe('OutgoingMessage', () => {
  test('its state, flags and pending writes, kept in one field, never change one another', () => {
    const message = new OutgoingMessage(newRecord(1, { topic: 't', payload: new Uint8Array(0), qos: 2, retain: false }, 0));
    expect(message.state).toBe('queued');
    message.writes = 3;
    message.state = 'sent';
    message.set(SENT_ONCE, true);
    message.set(RELEASING, true);
    expect({ writes: message.writes, state: message.state, sentOnce: message.has(SENT_ONCE), releasing: message.has(RELEASING) }).toEqual({ writes: 3, state: 'sent', sentOnce: true, releasing: true });
    message.writes--;
    message.state = 'released';
    message.set(ON_WIRE, true);
    message.set(HOLDS_QUOTA, true);
    message.set(WAITING_TO_SEND, true);
    message.set(RELEASING, false);
    expect([message.writes, message.state, message.has(SENT_ONCE), message.has(ON_WIRE), message.has(HOLDS_QUOTA), message.has(WAITING_TO_SEND), message.has(RELEASING)]).toEqual([
      2,
      'released',
      true,
      true,
      true,
      true,
      false,
    ]);
    message.state = 'queued';
    message.set(SENT_ONCE, false);
    message.writes = 0;
    expect([message.writes, message.state, message.has(SENT_ONCE), message.has(ON_WIRE)]).toEqual([0, 'queued', false, true]);
  });

  test('the record it is made from is the one written: queued, or sent under its packet id', () => {
    const request = { topic: 't', payload: new Uint8Array(1), qos: 1 as const, retain: true, properties: { contentType: 'text/plain' } };
    expect(newRecord(4, request, 0)).toEqual({ id: 4, topic: 't', payload: new Uint8Array(1), qos: 1, retain: true, state: 'queued', properties: { contentType: 'text/plain' } });
    const message = new OutgoingMessage(newRecord(5, request, 9));
    expect(message.record).toEqual({ id: 5, topic: 't', payload: new Uint8Array(1), qos: 1, retain: true, state: 'sent', packetId: 9, properties: { contentType: 'text/plain' } });
    message.packetId = 9;
    message.state = 'sent';
    message.set(SENT_ONCE, true);
    expect(message.publishPacket()).toEqual({ type: 'publish', topic: 't', payload: new Uint8Array(1), qos: 1, dup: true, retain: true, packetId: 9, properties: { contentType: 'text/plain' } });
    expect(message.entry()).toEqual(message.record);
    expect(message.entry()).not.toBe(message.record);
  });
});
