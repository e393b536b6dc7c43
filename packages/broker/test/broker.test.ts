// createBroker and the Broker it returns: ports, close, dropClient, option checks.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createBroker } from '@courier/broker';
import { closedOf, Fixture, logOf } from './helpers';

const fixture = new Fixture();

describe('createBroker', () => {
  it('listens on 127.0.0.1 on a free port, without WebSocket unless asked', async () => {
    const broker = await fixture.broker();
    expect(broker.host).toBe('127.0.0.1');
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.wsPort).toBeUndefined();
    expect(await logOf(broker).waitFor(/^listening/)).toBe(`listening on mqtt://127.0.0.1:${broker.port}`);
  });

  it('rejects when the port is taken, and leaves nothing open', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(createBroker({ port })).rejects.toThrow(/EADDRINUSE/);
      const broker = await fixture.broker();
      await expect(createBroker({ port: broker.port + 0, wsPort: port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it.each([
    { port: -1 },
    { port: 70000 },
    { receiveMaximum: 0 },
    { maximumPacketSize: 1.5 },
    { maxInflightMessages: 65536 },
  ])('refuses %j with a RangeError', async (options) => {
    await expect(createBroker(options)).rejects.toThrow(RangeError);
  });
});

it('keeps serving when the log function throws', async () => {
  const broker = await fixture.broker({
    log: () => {
      throw new Error('broken logger');
    },
  });
  const client = await fixture.client(broker, { version: 5, clientId: 'logged' });
  await client.subscribeAsync('t', { qos: 1 });
});

describe('TLS listeners', () => {
  it('tlsPort or wssPort without a certificate is refused at once', async () => {
    await expect(createBroker({ port: 0, tlsPort: 0 })).rejects.toThrow(RangeError);
    await expect(createBroker({ port: 0, wssPort: 0 })).rejects.toThrow(RangeError);
  });
});

describe('close()', () => {
  it('disconnects every client (5.0: DISCONNECT 0x8B first) and frees the ports', async () => {
    const broker = await createBroker({ wsPort: 0 });
    const { port, wsPort } = broker;
    const v4 = await fixture.client(broker, { version: 4, clientId: 'v4' });
    const v5 = await fixture.client(broker, { version: 5, clientId: 'v5', transport: 'ws' });
    const told = new Promise<number | undefined>((resolve) => v5.once('disconnect', (packet) => resolve(packet.reasonCode)));
    const closed = Promise.all([closedOf(v4), closedOf(v5)]);
    await broker.close();
    await closed;
    expect(await told).toBe(0x8b);
    await broker.close(); // a second call is harmless

    const again = await fixture.broker({ port, wsPort: wsPort! });
    expect([again.port, again.wsPort]).toEqual([port, wsPort]);
  });

  it('does not wait for a client that never closes its side', async () => {
    const broker = await createBroker();
    const raw = await fixture.rawConnected(broker, 5, 'stubborn');
    raw.socket.pause();
    const started = Date.now();
    await broker.close();
    expect(Date.now() - started).toBeLessThan(1500); // the grace is 250 ms; the linger it cuts short is 2 s
  });
});

describe('dropClient()', () => {
  it('cuts a connected client and says so; false for a client that is not connected', async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker, { version: 4, clientId: 'doomed' });
    const closed = closedOf(client);
    expect(broker.dropClient('doomed')).toBe(true);
    await closed;
    expect(await logOf(broker).waitFor(/^doomed disconnected/)).toBe('doomed disconnected (dropped by dropClient)');
    expect(broker.dropClient('doomed')).toBe(false);
    expect(broker.dropClient('nobody')).toBe(false);
  });
});
