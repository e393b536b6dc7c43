import { describe, expect, test } from 'vitest';
import { type ConnackPacket, encode, type MqttError, type Packet, PacketDecoder } from '@courier/core';
import { ManualClock } from '@courier/core/testing';
import type { Outbox, OutboxChange } from '../../src/ports/outbox-store';
import { type DriverEffects, SessionDriver } from '../../src/client/session-driver';
import { Session } from '../../src/session/session';
import type { SessionAction } from '../../src/session/session-types';
import { defaultOptions } from '../session/session-harness';

/** An outbox that keeps its writes, completing each at once or when the test says. */
class RecordingOutbox implements Outbox {
  readonly restored = { outgoing: [], incoming: [], nextId: 1 };
  readonly writes: (readonly OutboxChange[])[] = [];
  /** When set, writes return a promise that this settles. */
  deferred: { resolve: () => void; reject: (error: Error) => void }[] | undefined;
  failWith: Error | undefined;

  write(changes: readonly OutboxChange[]): void | Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.writes.push(changes);
    const deferred = this.deferred;
    if (deferred === undefined) return;
    return new Promise((resolve, reject) => deferred.push({ resolve, reject }));
  }

  async close(): Promise<void> {}
}

function setup(options: { keepAlive?: number; blocked?: boolean } = {}) {
  const clock = new ManualClock();
  const session = new Session({ ...defaultOptions, keepAlive: options.keepAlive ?? 60 });
  const sent: Packet[] = [];
  const settled: Extract<SessionAction, { type: 'settle' }>[] = [];
  const failures: MqttError[] = [];
  /** The onWritten callbacks of what was sent: `written()` plays the socket taking the bytes. */
  const unwritten: (() => void)[] = [];
  const written = () => {
    for (const onWritten of unwritten.splice(0)) onWritten();
  };
  const effects: DriverEffects = {
    send: (packet, onWritten) => {
      sent.push(packet);
      if (onWritten !== undefined) unwritten.push(onWritten);
      return options.blocked !== true;
    },
    closeConnection: () => undefined,
    deliver: () => undefined,
    ackSent: () => undefined,
    settle: (action) => settled.push(action),
    notify: () => undefined,
    outboxFailed: (error) => failures.push(error),
    authenticate: () => undefined,
  };
  const driver = new SessionDriver(session, clock, effects);
  const outbox = new RecordingOutbox();
  driver.outbox = outbox;
  driver.dispatch({ type: 'restore', snapshot: outbox.restored });
  return { clock, session, driver, outbox, sent, settled, failures, written };
}

/** Opens the connection and accepts it with a CONNACK, as the connection loop would feed it. */
function connect(driver: SessionDriver, connack: Partial<ConnackPacket> = {}): void {
  driver.dispatch({ type: 'connectionOpened' });
  const bytes = encode({ type: 'connack', sessionPresent: false, reasonCode: 0, ...connack }, 5);
  for (const packet of new PacketDecoder({ version: 5 }).push(bytes)) driver.dispatch({ type: 'packetReceived', packet });
}

const request = (qos: 0 | 1 | 2) => ({ topic: 't', payload: Uint8Array.of(1), qos, retain: false });

describe('the session driver', () => {
  test('the outbox changes of one input reach the outbox as one write, before the PUBLISH goes out', () => {
    const { driver, outbox, sent } = setup();
    connect(driver);
    driver.dispatch({ type: 'publishRequested', id: 1, message: request(1) });
    expect(outbox.writes).toEqual([[expect.objectContaining({ op: 'put' })]]);
    expect(sent.map((p) => p.type)).toEqual(['connect', 'publish']);
  });

  test('with an asynchronous outbox, the PUBLISH waits for the write to be durable [write-ahead]', async () => {
    const { driver, outbox, sent } = setup();
    connect(driver);
    outbox.deferred = [];
    driver.dispatch({ type: 'publishRequested', id: 1, message: request(2) });
    expect(sent.map((p) => p.type)).toEqual(['connect']);
    outbox.deferred[0]!.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(sent.map((p) => p.type)).toEqual(['connect', 'publish']);
  });

  test('a write that fails is reported and fails the publish, which is never sent', async () => {
    const { driver, outbox, sent, settled, failures } = setup();
    connect(driver);
    outbox.failWith = new Error('disk full');
    driver.dispatch({ type: 'publishRequested', id: 1, message: request(1) });
    // The write of the record fails; so does the one that forgets it after the failure.
    expect(failures[0]).toMatchObject({ code: 'ERR_OUTBOX', message: 'the outbox could not write: disk full' });
    expect(settled).toEqual([expect.objectContaining({ operation: 'publish', id: 1, error: expect.objectContaining({ code: 'ERR_OUTBOX', cause: failures[0] }) })]);
    expect(sent.map((p) => p.type)).toEqual(['connect']);
  });

  test('a send that fills the transport tells the session once, and it holds QoS 0 back until drained', () => {
    const { driver, sent, settled, written } = setup({ blocked: true });
    connect(driver);
    driver.dispatch({ type: 'publishRequested', id: 1, message: request(0) });
    driver.dispatch({ type: 'publishRequested', id: 2, message: request(0) });
    expect(sent.filter((p) => p.type === 'publish')).toHaveLength(0);
    driver.dispatch({ type: 'transportDrained' });
    expect(sent.filter((p) => p.type === 'publish')).toHaveLength(2);
    written();
    expect(settled.map((s) => s.id)).toEqual([1, 2]);
  });

  test('a QoS 0 publish settles when the transport has written its bytes, not when it is handed the packet', () => {
    const { driver, sent, settled, written } = setup();
    connect(driver);
    driver.dispatch({ type: 'publishRequested', id: 1, message: request(0) });
    expect(sent.filter((p) => p.type === 'publish')).toHaveLength(1);
    expect(settled).toEqual([]);
    written();
    expect(settled).toEqual([{ type: 'settle', operation: 'publish', id: 1, result: { id: 1, qos: 0 } }]);
  });

  test("one timer follows the session's next deadline: the keep-alive PINGREQ goes out when it is due", async () => {
    const { driver, clock, sent } = setup({ keepAlive: 10 });
    connect(driver);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(9_999);
    expect(sent.map((p) => p.type)).toEqual(['connect']);
    await clock.advance(1);
    expect(sent.map((p) => p.type)).toEqual(['connect', 'pingreq']);
    expect(clock.pendingTimers).toBe(1);
    driver.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  test('whenIdle resolves once the last message is acknowledged, or reports that it timed out', async () => {
    const { driver, clock } = setup();
    connect(driver);
    await expect(driver.whenIdle(undefined)).resolves.toBe(false);
    driver.dispatch({ type: 'publishRequested', id: 1, message: request(1) });
    const idle = driver.whenIdle(undefined);
    for (const packet of new PacketDecoder({ version: 5 }).push(encode({ type: 'puback', packetId: 1 }, 5))) driver.dispatch({ type: 'packetReceived', packet });
    await expect(idle).resolves.toBe(false);
    driver.dispatch({ type: 'publishRequested', id: 2, message: request(1) });
    const timedOut = driver.whenIdle(5_000);
    await clock.advance(5_000);
    await expect(timedOut).resolves.toBe(true);
  });
});
