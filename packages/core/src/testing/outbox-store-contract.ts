import { describe, expect, test } from 'vitest';
import type { Outbox, OutboxStore, OutgoingRecord } from '../ports/outbox-store';

/** What `outboxStoreContract` needs of an OutboxStore implementation under test. */
export interface OutboxStoreFixture {
  store: OutboxStore;
  /** The same stored data through a new store, as after a restart (the same store for memory). */
  reopen(): Promise<OutboxStore>;
  /** Removes what the fixture created (files, databases) after each test. */
  cleanup?(): Promise<void>;
}

function record(id: number, extra: Partial<OutgoingRecord> = {}): OutgoingRecord {
  return { id, topic: `sensors/${id}`, payload: Uint8Array.of(id & 0xff, 0, 255), qos: 1, retain: false, state: 'queued', ...extra };
}

async function write(outbox: Outbox, changes: Parameters<Outbox['write']>[0]): Promise<void> {
  await outbox.write(changes);
}

/**
 * The rules every OutboxStore keeps (the port's contract). Run it with a fixture that makes a
 * fresh store, and a way to reach the same data again as after a restart.
 */
export function outboxStoreContract(name: string, makeFixture: () => Promise<OutboxStoreFixture>): void {
  describe(`${name} keeps the OutboxStore contract`, () => {
    async function withFixture(body: (fixture: OutboxStoreFixture) => Promise<void>): Promise<void> {
      const fixture = await makeFixture();
      try {
        await body(fixture);
      } finally {
        await fixture.cleanup?.();
      }
    }

    async function reopened(fixture: OutboxStoreFixture, outbox: Outbox, clientId = 'c1'): Promise<Outbox> {
      await outbox.close();
      return (await fixture.reopen()).open(clientId);
    }

    test('a new outbox is empty, with ids starting at 1 or above', () =>
      withFixture(async ({ store }) => {
        const outbox = await store.open('c1');
        expect(outbox.restored.outgoing).toEqual([]);
        expect(outbox.restored.incoming).toEqual([]);
        expect(outbox.restored.nextId).toBeGreaterThanOrEqual(1);
        await outbox.close();
      }));

    test('records come back in id order, byte for byte, with their properties', () =>
      withFixture(async (fixture) => {
        const outbox = await fixture.store.open('c1');
        const withProperties = record(3, {
          qos: 2,
          retain: true,
          properties: { messageExpiryInterval: 60, correlationData: Uint8Array.of(1, 2), userProperties: [['k', 'v'], ['k', 'w']] },
        });
        await write(outbox, [{ op: 'put', record: record(2) }, { op: 'put', record: withProperties }]);
        await write(outbox, [{ op: 'put', record: record(1, { state: 'sent', packetId: 9 }) }]);
        const again = await reopened(fixture, outbox);
        expect(again.restored.outgoing).toEqual([record(1, { state: 'sent', packetId: 9 }), record(2), withProperties]);
        await again.close();
      }));

    test('an update moves a record to its new state and packet id, or back to none', () =>
      withFixture(async (fixture) => {
        const outbox = await fixture.store.open('c1');
        await write(outbox, [{ op: 'put', record: record(1, { qos: 2 }) }, { op: 'put', record: record(2, { state: 'sent', packetId: 4 }) }]);
        await write(outbox, [{ op: 'update', id: 1, state: 'sent', packetId: 7 }]);
        await write(outbox, [{ op: 'update', id: 1, state: 'released', packetId: 7 }, { op: 'update', id: 2, state: 'queued' }]);
        const again = await reopened(fixture, outbox);
        expect(again.restored.outgoing).toEqual([record(1, { qos: 2, state: 'released', packetId: 7 }), record(2)]);
        await again.close();
      }));

    test('a deleted record is gone, and ids are never handed out again', () =>
      withFixture(async (fixture) => {
        const outbox = await fixture.store.open('c1');
        await write(outbox, [{ op: 'put', record: record(41) }, { op: 'put', record: record(42) }]);
        await write(outbox, [{ op: 'delete', id: 41 }, { op: 'delete', id: 42 }]);
        const again = await reopened(fixture, outbox);
        expect(again.restored.outgoing).toEqual([]);
        expect(again.restored.nextId).toBeGreaterThan(42);
        await again.close();
      }));

    test('received QoS 2 packet ids are kept until deleted or cleared', () =>
      withFixture(async (fixture) => {
        const outbox = await fixture.store.open('c1');
        await write(outbox, [{ op: 'putIncoming', packetId: 5 }, { op: 'putIncoming', packetId: 6 }, { op: 'putIncoming', packetId: 7 }]);
        await write(outbox, [{ op: 'deleteIncoming', packetId: 6 }]);
        let again = await reopened(fixture, outbox);
        expect([...again.restored.incoming].sort((a, b) => a - b)).toEqual([5, 7]);
        await write(again, [{ op: 'clearIncoming' }]);
        again = await reopened(fixture, again);
        expect(again.restored.incoming).toEqual([]);
        await again.close();
      }));

    test('writes issued without waiting are applied in the order issued', () =>
      withFixture(async (fixture) => {
        const outbox = await fixture.store.open('c1');
        const writes = [
          outbox.write([{ op: 'put', record: record(1) }]),
          outbox.write([{ op: 'update', id: 1, state: 'sent', packetId: 3 }]),
          outbox.write([{ op: 'put', record: record(2) }]),
          outbox.write([{ op: 'delete', id: 1 }]),
          outbox.write([{ op: 'update', id: 2, state: 'sent', packetId: 4 }]),
        ];
        await Promise.all(writes);
        const again = await reopened(fixture, outbox);
        expect(again.restored.outgoing).toEqual([record(2, { state: 'sent', packetId: 4 })]);
        await again.close();
      }));

    test('a batch of a thousand records is written and read back whole', () =>
      withFixture(async (fixture) => {
        const outbox = await fixture.store.open('c1');
        const records = Array.from({ length: 1_000 }, (_, i) => record(i + 1, { payload: new Uint8Array(64).fill(i & 0xff) }));
        await write(outbox, records.map((r) => ({ op: 'put' as const, record: r })));
        const again = await reopened(fixture, outbox);
        expect(again.restored.outgoing).toEqual(records);
        await again.close();
      }));

    test('each client id has its own outbox', () =>
      withFixture(async (fixture) => {
        const a = await fixture.store.open('a');
        const b = await fixture.store.open('b');
        await write(a, [{ op: 'put', record: record(1) }, { op: 'putIncoming', packetId: 1 }]);
        await write(b, [{ op: 'put', record: record(2) }]);
        await a.close();
        await b.close();
        const store = await fixture.reopen();
        const againA = await store.open('a');
        const againB = await store.open('b');
        expect(againA.restored.outgoing.map((r) => r.id)).toEqual([1]);
        expect(againB.restored.outgoing.map((r) => r.id)).toEqual([2]);
        expect(againB.restored.incoming).toEqual([]);
        await againA.close();
        await againB.close();
      }));

    test('an outbox open elsewhere is not opened twice: the second open fails or waits for the close', () =>
      withFixture(async ({ store }) => {
        const first = await store.open('c1');
        const second = store.open('c1');
        const outcome = await Promise.race([
          second.then(
            () => 'opened',
            (error: { code?: string }) => `refused ${error.code}`,
          ),
          new Promise((resolve) => setTimeout(() => resolve('waiting'), 50)),
        ]);
        expect(['refused ERR_OUTBOX', 'waiting']).toContain(outcome);
        await first.close();
        const reopened = outcome === 'waiting' ? await second : await store.open('c1');
        await reopened.close();
      }));

    test('after close, writing fails with OutboxError', () =>
      withFixture(async ({ store }) => {
        const outbox = await store.open('c1');
        await outbox.close();
        await expect(Promise.resolve().then(() => outbox.write([{ op: 'put', record: record(1) }]))).rejects.toMatchObject({ code: 'ERR_OUTBOX' });
      }));
  });
}
