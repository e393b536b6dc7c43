// fileSessionStore on real files: a snapshot survives the trip through JSON byte for byte, a
// missing file is no snapshot, and a damaged one is a clear error, never a silent empty start.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrokerMessage, createBroker, fileSessionStore, type SessionSnapshot } from '@courier/broker';
import { text } from './helpers';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
function file(): string {
  dir = mkdtempSync(join(tmpdir(), 'courier-session-store-'));
  return join(dir, 'sessions.json');
}

function snapshot(): SessionSnapshot {
  const message: BrokerMessage = {
    topic: 'a/b',
    payload: text('payload'),
    qos: 2,
    retain: false,
    // Names that look like the file's own tags stay plain data.
    properties: { correlationData: Uint8Array.of(0, 255), userProperties: [['$map', '$bytes'], ['__proto__', 'x']] },
    expiresAt: 1_900_000_000_000,
    publisherId: 'publisher',
  };
  return {
    savedAt: 1_800_000_000_000,
    sessions: [
      {
        clientId: 'keeper',
        expiryIntervalS: 300,
        subscriptions: new Map([
          ['a/#', { topicFilter: 'a/#', qos: 2, noLocal: false, retainAsPublished: true, retainHandling: 1, subscriptionIdentifier: 7 }],
        ]),
        inflight: new Map([
          [3, { packetId: 3, delivery: { message, qos: 2, retain: false, subscriptionIdentifiers: [7] }, released: true }],
          [4, { packetId: 4, delivery: { message, qos: 1, retain: false, subscriptionIdentifiers: undefined }, released: false }],
        ]),
        queue: [{ message, qos: 1, retain: false, subscriptionIdentifiers: undefined }],
        nextPacketId: 5,
        inboundQos2: new Set([9, 65535]),
        will: { topic: 'will', payload: text('gone'), qos: 1, retain: true, properties: { willDelayInterval: 5 } },
        offlineSince: 1_799_999_000_000,
      },
    ],
    retained: [{ ...message, retain: true }],
  };
}

describe('fileSessionStore', () => {
  it('gives back what it saved: maps, sets, byte arrays and nested properties', async () => {
    const store = fileSessionStore(file());
    const saved = snapshot();
    await store.save(saved);
    const loaded = await store.load();
    // toEqual leaves out undefined fields, as JSON does; everything else must match exactly.
    expect(loaded).toEqual(saved);
    expect(loaded!.sessions[0]!.inflight.get(3)!.delivery.message.payload).toBeInstanceOf(Uint8Array);
    expect(Object.getPrototypeOf(loaded!.retained[0]!.properties)).toBe(Object.prototype);
  });

  it('writes a Buffer payload as its bytes', async () => {
    const store = fileSessionStore(file());
    const saved = snapshot();
    saved.retained[0]!.payload = Buffer.from('from a socket');
    await store.save(saved);
    expect((await store.load())!.retained[0]!.payload).toEqual(text('from a socket'));
  });

  it('has nothing to load when there is no file, and clear() removes the file', async () => {
    const path = file();
    const store = fileSessionStore(path);
    expect(await store.load()).toBeUndefined();
    await store.clear();
    await store.save(snapshot());
    expect(existsSync(path)).toBe(true);
    await store.clear();
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('refuses a damaged or foreign file with an error that names it', async () => {
    const path = file();
    const store = fileSessionStore(path);
    writeFileSync(path, '{"format":"courier-broker-sessions/1","sav');
    await expect(store.load()).rejects.toThrow(`session store ${path} is not valid JSON`);
    writeFileSync(path, '{"sessions":[]}');
    await expect(store.load()).rejects.toThrow(`session store ${path} is not a courier-broker-sessions/1 file`);
  });

  it('a broker does not start on a damaged store, and leaves the file as it was', async () => {
    const path = file();
    writeFileSync(path, 'not json');
    await expect(createBroker({ port: 0, sessionStore: fileSessionStore(path) })).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('not json');
  });
});
