import { describe, expect, test } from 'vitest';
import { newRecord, OutgoingMessage } from '../../src/session/outgoing-message';

describe('OutgoingMessage', () => {
  test('its state, flags and pending writes, kept in one field, never change one another', () => {
    const message = new OutgoingMessage(newRecord(1, { topic: 't', payload: new Uint8Array(0), qos: 2, retain: false }, 0));
    expect(message.state).toBe('queued');
    message.writes = 3;
    message.state = 'sent';
    message.sentOnce = true;
    message.releasing = true;
    expect({ writes: message.writes, state: message.state, sentOnce: message.sentOnce, releasing: message.releasing }).toEqual({ writes: 3, state: 'sent', sentOnce: true, releasing: true });
    message.writes--;
    message.state = 'released';
    message.onWire = true;
    message.holdsQuota = true;
    message.waitingToSend = true;
    message.releasing = false;
    expect([message.writes, message.state, message.sentOnce, message.onWire, message.holdsQuota, message.waitingToSend, message.releasing]).toEqual([
      2,
      'released',
      true,
      true,
      true,
      true,
      false,
    ]);
    message.state = 'queued';
    message.sentOnce = false;
    message.writes = 0;
    expect([message.writes, message.state, message.sentOnce, message.onWire]).toEqual([0, 'queued', false, true]);
  });

  test('the record it is made from is the one written: queued, or sent under its packet id', () => {
    const request = { topic: 't', payload: new Uint8Array(1), qos: 1 as const, retain: true, properties: { contentType: 'text/plain' } };
    expect(newRecord(4, request, 0)).toEqual({ id: 4, topic: 't', payload: new Uint8Array(1), qos: 1, retain: true, state: 'queued', properties: { contentType: 'text/plain' } });
    const message = new OutgoingMessage(newRecord(5, request, 9));
    expect(message.record).toEqual({ id: 5, topic: 't', payload: new Uint8Array(1), qos: 1, retain: true, state: 'sent', packetId: 9, properties: { contentType: 'text/plain' } });
    message.packetId = 9;
    message.state = 'sent';
    message.sentOnce = true;
    expect(message.publishPacket()).toEqual({ type: 'publish', topic: 't', payload: new Uint8Array(1), qos: 1, dup: true, retain: true, packetId: 9, properties: { contentType: 'text/plain' } });
    expect(message.entry()).toEqual(message.record);
    expect(message.entry()).not.toBe(message.record);
  });
});
