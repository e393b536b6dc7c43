import { describe, expect, test } from 'vitest';
import type { MqttError, Transport } from '@courier/core';
import { flush, ManualClock } from '@courier/core/testing';
import { ClientEventBus } from '../../src/client/client-events';
import { resolveOptions } from '../../src/client/client-options';
import type { ClientEvents } from '../../src/client/client-types';
import { ConnectionLoop } from '../../src/client/connection-loop';
import { SessionDriver } from '../../src/client/session-driver';
import { Session } from '../../src/session/session';
import { ScriptedBroker } from './scripted-broker';

/** A loop wired to a real session and driver, as the client wires it, with a scripted broker. */
function setup(options: { transport?: Transport; reconnect?: false; connectTimeoutMs?: number } = {}) {
  const broker = new ScriptedBroker();
  const clock = new ManualClock();
  const settings = resolveOptions({ clientId: 'c1', clock, random: () => 0.5, ...options });
  const session = new Session(settings.session);
  const events = new ClientEventBus(() => undefined);
  const seen: { event: keyof ClientEvents; payload: unknown }[] = [];
  for (const event of ['connect', 'disconnect', 'reconnecting', 'error'] as const) events.on(event, (payload) => seen.push({ event, payload }));
  let loop: ConnectionLoop | undefined;
  const driver = new SessionDriver(session, clock, {
    send: (packet) => loop!.send(packet),
    closeConnection: (error) => loop!.close(error),
    deliver: () => undefined,
    ackSent: () => undefined,
    settle: () => undefined,
    notify: (event) => loop!.onSessionEvent(event),
    outboxFailed: () => undefined,
    authenticate: () => undefined,
  });
  loop = new ConnectionLoop({ settings, brokers: [{ transport: options.transport ?? broker.transport }], clock, session, events, dispatch: (input) => driver.dispatch(input) });
  return { broker, clock, loop, seen, driver };
}

const named = (seen: { event: string }[]) => seen.map((s) => s.event);

describe('the connection loop', () => {
  test('connects once started, and resolves whenConnected with the CONNACK', async () => {
    const { loop, seen } = setup();
    const connected = loop.whenConnected();
    loop.start();
    await expect(connected).resolves.toMatchObject({ sessionPresent: false, protocolVersion: 5 });
    expect(loop.connected).toBe(true);
    expect(named(seen)).toEqual(['connect']);
  });

  test('a lost connection is reported, then retried after a jittered backoff that doubles; reconnecting says why', async () => {
    const { broker, clock, loop, seen } = setup();
    loop.start();
    await loop.whenConnected();
    broker.transport.refuseWith = new Error('ECONNREFUSED');
    broker.drop();
    await flush();
    expect(seen.slice(1)).toEqual([
      { event: 'disconnect', payload: { error: expect.objectContaining({ message: 'the connection failed: connection reset' }) } },
      { event: 'reconnecting', payload: { attempt: 1, delayMs: 500, error: expect.objectContaining({ message: 'the connection failed: connection reset' }) } },
    ]);
    await clock.advance(500);
    expect(seen.at(-1)).toEqual({ event: 'reconnecting', payload: { attempt: 2, delayMs: 1_000, error: expect.objectContaining({ message: 'could not connect: ECONNREFUSED' }) } });
    await clock.advance(1_000);
    expect(seen.at(-1)).toMatchObject({ event: 'reconnecting', payload: { attempt: 3, delayMs: 2_000 } });
    broker.transport.refuseWith = undefined;
    await clock.advance(2_000);
    await loop.whenConnected();
    expect(broker.connections).toBe(2);
  });

  test('a broker that accepts and drops at once is backed off like one that refuses: at most 60 s / (maxDelayMs / 2) + 1 attempts a minute once at the ceiling', async () => {
    const { broker, clock, loop, seen } = setup();
    broker.script = (packet, b) => {
      if (packet.type !== 'connect') return undefined;
      // after the CONNACK has reached the client (its delivery is queued after this first task)
      queueMicrotask(() => queueMicrotask(() => b.hangUp()));
      return [{ type: 'connack', sessionPresent: false, reasonCode: 0 }];
    };
    loop.start();
    const attemptsIn = async (ms: number) => {
      const before = broker.connections;
      for (let t = 0; t < ms; t += 500) await clock.advance(500);
      return broker.connections - before;
    };
    // random() = 0.5: delays of 0.5, 1, 2, 4, 8 s, then 15 s (half the 30 s ceiling)
    expect(await attemptsIn(60_000)).toBeLessThanOrEqual(9);
    expect(seen.filter((s) => s.event === 'connect').length).toBeGreaterThanOrEqual(8); // accepted each time
    expect(await attemptsIn(60_000)).toBeLessThanOrEqual(60_000 / (30_000 / 2) + 1);
    const delays = seen.filter((s) => s.event === 'reconnecting').map((s) => (s.payload as { delayMs: number }).delayMs);
    expect(delays.slice(0, 7)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
  });

  test('a connection that stayed up stableAfterMs starts the backoff over', async () => {
    const { broker, clock, loop, seen } = setup();
    loop.start();
    await loop.whenConnected();
    for (let i = 0; i < 3; i++) {
      broker.drop();
      await clock.advance(5_000); // reconnected within the delay, up for less than 10 s
    }
    const last = () => (seen.filter((s) => s.event === 'reconnecting').at(-1)!.payload as { attempt: number; delayMs: number });
    expect(last()).toMatchObject({ attempt: 3, delayMs: 2_000 });
    await clock.advance(10_000); // this connection has now been up more than 10 s
    broker.drop();
    await flush();
    expect(last()).toMatchObject({ attempt: 1, delayMs: 500 });
  });

  test('an attempt whose transport never opens is abandoned at the connect timeout, and closed if it opens later', async () => {
    let open: (() => void) | undefined;
    let closed = false;
    const stalled: Transport = {
      connect: () =>
        new Promise((resolve) => {
          open = () => resolve({ write: () => true, close: () => (closed = true) });
        }),
    };
    const { clock, loop, seen } = setup({ transport: stalled, connectTimeoutMs: 1_000 });
    const connected = loop.whenConnected();
    loop.start();
    await clock.advance(1_000);
    await expect(connected).rejects.toMatchObject({ code: 'ERR_CONNECTION', message: 'could not connect: no connection within 1000 ms' });
    expect(named(seen)).toEqual(['disconnect', 'reconnecting']);
    open!();
    await flush();
    expect(closed).toBe(true);
  });

  test('without reconnect, the first failure stops the loop and later waiters get it', async () => {
    const { broker, loop } = setup({ reconnect: false });
    broker.transport.refuseWith = new Error('ECONNREFUSED');
    loop.start();
    await flush();
    expect(loop.stopped).toBe(true);
    await expect(loop.whenConnected()).rejects.toMatchObject({ message: 'could not connect: ECONNREFUSED' });
  });

  test('ending closes the connection without a reconnect and rejects later waiters', async () => {
    const { broker, clock, loop, driver, seen } = setup();
    loop.start();
    await loop.whenConnected();
    const closed = loop.beginEnd();
    driver.dispatch({ type: 'disconnectRequested' });
    await closed;
    loop.ended();
    await clock.advance(60_000);
    expect(broker.connections).toBe(1);
    expect(broker.sent('disconnect')).toHaveLength(1);
    expect(seen.at(-1)).toEqual({ event: 'disconnect', payload: {} });
    await expect(loop.whenConnected()).rejects.toMatchObject({ code: 'ERR_CLIENT_ENDED' });
  });

  test('a client that cannot start rejects every waiter with why', async () => {
    const { loop } = setup();
    const waiting = loop.whenConnected();
    const failure = { code: 'ERR_OUTBOX', message: 'locked' } as MqttError;
    loop.startFailed(failure);
    await expect(waiting).rejects.toBe(failure);
    await expect(loop.whenConnected()).rejects.toBe(failure);
  });

  test('tells the transport which reads held only QoS 0 messages while nothing was awaited (it may then read later)', async () => {
    const broker = new ScriptedBroker();
    const quiet: boolean[] = [];
    // The broker's transport, with what the client answers each read recorded.
    const transport: Transport = {
      connect: (handlers) => broker.transport.connect({ ...handlers, data: (chunk) => void quiet.push(handlers.data(chunk) === true) }),
    };
    const { loop, driver } = setup({ transport });
    loop.start();
    await loop.whenConnected();
    const publish = (qos: 0 | 1 | 2, packetId?: number) =>
      broker.send({ type: 'publish', topic: 't', payload: new Uint8Array([1]), qos, dup: false, retain: false, ...(packetId === undefined ? {} : { packetId }) });
    publish(0);
    await flush();
    publish(1, 1);
    await flush();
    broker.script = (packet) => (packet.type === 'subscribe' ? [] : undefined); // no SUBACK yet
    driver.dispatch({ type: 'subscribeRequested', id: 1, subscriptions: [{ topicFilter: 'x', qos: 0 }] });
    const sent = (await broker.waitFor((p) => p.type === 'subscribe')) as { packetId: number };
    publish(0);
    await flush();
    broker.send({ type: 'suback', packetId: sent.packetId, reasonCodes: [0] });
    await flush();
    publish(0);
    await flush();
    // CONNACK, QoS 0, QoS 1, QoS 0 while our SUBSCRIBE awaits its SUBACK, the SUBACK, QoS 0.
    expect(quiet).toEqual([false, true, false, false, false, true]);
  });
});
