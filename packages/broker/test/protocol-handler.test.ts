// The connection protocol: CONNECT and CONNACK, keep-alive, PINGREQ, packet order rules.
import { describe, expect, it } from 'vitest';
import { connackOf, Fixture, logOf } from './helpers';

const fixture = new Fixture();

describe('CONNECT and CONNACK', () => {
  it('[MQTT-3.2.0-1] answers CONNECT with a successful CONNACK before anything else', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.raw(broker, 4);
    raw.send({ type: 'connect', protocolVersion: 4, clientId: 'first', clean: true, keepAlive: 0 });
    raw.send({ type: 'pingreq' });
    expect(await raw.next()).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0 });
    expect(await raw.next()).toEqual({ type: 'pingresp' }); // [MQTT-3.12.4-1]
  });

  it('advertises its limits in a 5.0 CONNACK', async () => {
    const broker = await fixture.broker({ receiveMaximum: 20, maximumPacketSize: 4096, topicAliasMaximum: 5 });
    const client = await fixture.client(broker, { version: 5, clientId: 'curious' });
    expect(connackOf(client).properties).toMatchObject({ receiveMaximum: 20, maximumPacketSize: 4096, topicAliasMaximum: 5 });
  });

  it('[MQTT-3.1.0-1] closes a connection whose first packet is not CONNECT', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.raw(broker, 4);
    raw.send({ type: 'pingreq' });
    await raw.waitClosed();
    expect(raw.received).toEqual([]);
  });

  it.each([4, 5] as const)('[MQTT-3.1.0-2] treats a second CONNECT as a protocol error (MQTT version %i)', async (version) => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, version, 'twice');
    raw.send({ type: 'connect', protocolVersion: version, clientId: 'twice', clean: true, keepAlive: 0 });
    if (version === 5) expect((await raw.next('disconnect')).reasonCode).toBe(0x82);
    await raw.waitClosed();
  });

  it.each([
    ['MQTT 3.1 (MQIsdp, level 3)', [0x10, 0x10, 0x00, 0x06, ...Buffer.from('MQIsdp'), 0x03, 0x02, 0x00, 0x3c, 0x00, 0x02, 0x61, 0x62]],
    ['level 6', [0x10, 0x0e, 0x00, 0x04, ...Buffer.from('MQTT'), 0x06, 0x02, 0x00, 0x3c, 0x00, 0x02, 0x61, 0x62]],
  ])('[MQTT-3.1.2-2] answers an unsupported protocol (%s) with CONNACK 0x01 and closes', async (_name, bytes) => {
    const broker = await fixture.broker();
    const raw = await fixture.raw(broker, 4);
    raw.sendBytes(bytes);
    expect(await raw.next('connack')).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x01 });
    await raw.waitClosed();
  });

  it('[MQTT-4.12.0-1] refuses enhanced authentication with CONNACK 0x8C', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.raw(broker, 5);
    raw.send({
      type: 'connect',
      protocolVersion: 5,
      clientId: 'scram',
      clean: true,
      keepAlive: 0,
      properties: { authenticationMethod: 'SCRAM-SHA-1' },
    });
    expect((await raw.next('connack')).reasonCode).toBe(0x8c);
    await raw.waitClosed();
  });

  it('closes a connection that sends no CONNECT within connectTimeoutMs', async () => {
    const broker = await fixture.broker({ connectTimeoutMs: 100 });
    const raw = await fixture.raw(broker, 4);
    await raw.waitClosed();
    await logOf(broker).waitFor(/sent no CONNECT in 100 ms/);
  });

  it('logs one line per connection and one per disconnection, without passwords', async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker, { version: 5, clientId: 'logged', username: 'user', password: 'hunter2' });
    await client.endAsync();
    const log = logOf(broker);
    expect(await log.waitFor(/^logged disconnected/)).toBe('logged disconnected (DISCONNECT)');
    expect(log.lines.filter((line) => line.startsWith('logged'))).toEqual([
      expect.stringMatching(/^logged connected \(MQTT 5\.0, tcp 127\.0\.0\.1:\d+, clean start, keep-alive 60 s\)$/),
      'logged disconnected (DISCONNECT)',
    ]);
    expect(log.lines.join('\n')).not.toContain('hunter2');
  });
});

describe('keep-alive', () => {
  it('[MQTT-3.1.2-22] closes a connection silent for 1.5 × keep-alive (5.0: DISCONNECT 0x8D first), not one that pings', async () => {
    const broker = await fixture.broker();
    const silent4 = await fixture.rawConnected(broker, 4, 'silent4', { keepAlive: 1 });
    const silent5 = await fixture.rawConnected(broker, 5, 'silent5', { keepAlive: 1 });
    const pinging = await fixture.rawConnected(broker, 4, 'pinging', { keepAlive: 1 });
    const started = Date.now();
    const ping = setInterval(() => pinging.send({ type: 'pingreq' }), 400);
    try {
      await Promise.all([silent4.waitClosed(), silent5.waitClosed()]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect(silent5.received).toContainEqual(expect.objectContaining({ type: 'disconnect', reasonCode: 0x8d }));
      expect(pinging.isClosed).toBe(false);
      expect((await pinging.next('pingresp')).type).toBe('pingresp');
    } finally {
      clearInterval(ping);
    }
  });

  it.each([
    ['less', 30, 30, undefined],
    ['the same', 60, 60, undefined],
    ['more', 90, 60, 60],
    ['none', 0, 60, 60],
  ])(
    '[MQTT-3.2.2-21] [MQTT-3.2.2-22] serverKeepAlive 60 is a maximum: a 5.0 client asking for %s (%i s) uses %i s',
    async (_what, asked, used, told) => {
      const broker = await fixture.broker({ serverKeepAlive: 60 });
      const raw = await fixture.raw(broker, 5);
      raw.send({ type: 'connect', protocolVersion: 5, clientId: 'asking', clean: true, keepAlive: asked });
      expect((await raw.next('connack')).properties?.serverKeepAlive).toBe(told);
      await logOf(broker).waitFor(new RegExp(`asking connected .*keep-alive ${used} s`));
    },
  );

  it('leaves a 3.1.1 client its own keep-alive whatever serverKeepAlive says', async () => {
    const broker = await fixture.broker({ serverKeepAlive: 60 });
    await fixture.rawConnected(broker, 4, 'older', { keepAlive: 600 });
    await logOf(broker).waitFor(/older connected .*keep-alive 600 s/);
  });

  it('[MQTT-3.2.2-21] a Server Keep Alive replaces the 5.0 client value and is enforced', async () => {
    const broker = await fixture.broker({ serverKeepAlive: 1 });
    const raw = await fixture.raw(broker, 5);
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'told', clean: true, keepAlive: 600 });
    expect((await raw.next('connack')).properties?.serverKeepAlive).toBe(1);
    expect((await raw.next('disconnect')).reasonCode).toBe(0x8d);
    await raw.waitClosed();
  });

  it('does not time out a client with keep-alive 0', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, 4, 'forever', { keepAlive: 0 });
    // Keep-alive 0 means no timer at all; a timer would be armed at CONNACK, so a round trip
    // later there is nothing left to wait for.
    raw.send({ type: 'pingreq' });
    await raw.next('pingresp');
    expect(raw.isClosed).toBe(false);
  });
});
