import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutboxChange } from '@courier/core';
import { fileOutbox } from '@courier/outbox-store/fs';
import { describe, expect, test } from 'vitest';
import { encodeRecord } from '../../src/fs/change-codec';
import { encodeFrame } from '../../src/fs/frame';
import { encodeHeader } from '../../src/fs/journal-header';
import { contentOf, expectedAfter, record } from './outbox-fixtures';
import { tempDir } from './temp-dir';

const WRITES: OutboxChange[][] = [
  [{ op: 'put', record: record(1) }, { op: 'put', record: record(2, { qos: 2 }) }],
  [{ op: 'update', id: 2, state: 'sent', packetId: 7 }, { op: 'putIncoming', packetId: 11 }],
  [{ op: 'put', record: record(3, { properties: { userProperties: [['k', 'v']] } }) }, { op: 'update', id: 1, state: 'sent', packetId: 8 }],
  [{ op: 'delete', id: 1 }, { op: 'put', record: record(4, { retain: true }) }],
  [{ op: 'putIncoming', packetId: 12 }, { op: 'update', id: 2, state: 'released', packetId: 7 }],
];

/** Writes `writes` to a new journal; returns it, its bytes, and where each record starts and ends. */
async function journalOf(writes: readonly OutboxChange[][]): Promise<{ dir: string; path: string; bytes: Buffer; bounds: [number, number][] }> {
  const dir = await tempDir();
  const outbox = await fileOutbox({ dir }).open('c1');
  const bounds: [number, number][] = [];
  for (const changes of writes) {
    const start = outbox.stats().journalBytes;
    await outbox.write(changes);
    bounds.push([start, outbox.stats().journalBytes]);
  }
  await outbox.close();
  return { dir, path: outbox.journalPath, bytes: await readFile(outbox.journalPath), bounds };
}

async function reopen(dir: string) {
  return fileOutbox({ dir }).open('c1');
}

describe('a torn tail', () => {
  test('cut at every byte offset of the last record: opens, keeps every record before it, reports the rest, and cuts it off', async () => {
    const { dir, path, bytes, bounds } = await journalOf(WRITES);
    const [start, end] = bounds.at(-1)!;
    expect(bytes.length).toBe(end);
    const before = await expectedAfter(WRITES.slice(0, -1));
    for (let cut = start; cut < end; cut++) {
      await writeFile(path, bytes.subarray(0, cut));
      const outbox = await reopen(dir);
      expect(contentOf(outbox.restored)).toEqual(before);
      if (cut === start) expect(outbox.restored.damage).toBeUndefined();
      else expect(outbox.restored.damage).toEqual([{ where: `byte ${start} of ${path}`, bytes: cut - start, reason: 'the last record is incomplete (its write was cut short)' }]);
      expect((await stat(path)).size).toBe(start);
      await outbox.close();
    }
  });

  test('once cut off, new records follow the intact ones and the journal reads clean', async () => {
    const { dir, path, bytes, bounds } = await journalOf(WRITES);
    const [start, end] = bounds.at(-1)!;
    await writeFile(path, bytes.subarray(0, start + Math.floor((end - start) / 2)));
    const outbox = await reopen(dir);
    const more: OutboxChange[] = [{ op: 'put', record: record(9) }];
    await outbox.write(more);
    await outbox.close();
    const again = await reopen(dir);
    expect(again.restored.damage).toBeUndefined();
    expect(contentOf(again.restored)).toEqual(await expectedAfter([...WRITES.slice(0, -1), more]));
    await again.close();
  });

  test('zeros after the last record (space written ahead) are no damage; a record torn before them is', async () => {
    const { dir, path, bytes, bounds } = await journalOf(WRITES);
    const [start, end] = bounds.at(-1)!;
    const zeros = Buffer.alloc(4096);
    await writeFile(path, Buffer.concat([bytes, zeros]));
    const whole = await reopen(dir);
    expect(whole.restored.damage).toBeUndefined();
    expect(contentOf(whole.restored)).toEqual(await expectedAfter(WRITES));
    await whole.close();
    expect((await stat(path)).size).toBe(end);
    // The last record's write reached the disk only in part: the rest of it is still zeros.
    const torn = Buffer.concat([bytes, zeros]);
    torn.fill(0, start + 14, end);
    await writeFile(path, torn);
    const outbox = await reopen(dir);
    expect(contentOf(outbox.restored)).toEqual(await expectedAfter(WRITES.slice(0, -1)));
    expect(outbox.restored.damage).toEqual([{ where: `byte ${start} of ${path}`, bytes: torn.length - start, reason: expect.stringMatching(/checksum/) }]);
    expect((await stat(path)).size).toBe(start);
    await outbox.close();
  });

  test('a last record with a flipped byte is cut off as a corrupt tail', async () => {
    const { dir, path, bytes, bounds } = await journalOf(WRITES);
    const [start, end] = bounds.at(-1)!;
    const damaged = Buffer.from(bytes);
    damaged[end - 1]! ^= 0x01;
    await writeFile(path, damaged);
    const outbox = await reopen(dir);
    expect(contentOf(outbox.restored)).toEqual(await expectedAfter(WRITES.slice(0, -1)));
    expect(outbox.restored.damage).toEqual([{ where: `byte ${start} of ${path}`, bytes: end - start, reason: expect.stringMatching(/checksum/) }]);
    expect((await stat(path)).size).toBe(start);
    await outbox.close();
  });
});

describe('damage in the middle', () => {
  test('a flipped byte anywhere in a middle record costs that record only: the ones after it are read', async () => {
    const { dir, path, bytes, bounds } = await journalOf(WRITES);
    const [start, end] = bounds[2]!;
    const without = await expectedAfter(WRITES.filter((_, i) => i !== 2));
    for (let at = start; at < end; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at]! ^= 0xff;
      await writeFile(path, damaged);
      const outbox = await reopen(dir);
      expect(contentOf(outbox.restored), `byte ${at} flipped`).toEqual(without);
      expect(outbox.restored.damage).toEqual([{ where: `byte ${start} of ${path}`, bytes: end - start, reason: expect.any(String) }]);
      await outbox.close();
    }
  });

  test('the journal is rewritten from what was read, so the damage is reported once', async () => {
    const { dir, path, bytes, bounds } = await journalOf(WRITES);
    const damaged = Buffer.from(bytes);
    damaged[bounds[1]![0] + 5]! ^= 0x40;
    await writeFile(path, damaged);
    const first = await reopen(dir);
    expect(first.restored.damage).toHaveLength(1);
    await first.close();
    const second = await reopen(dir);
    expect(second.restored.damage).toBeUndefined();
    expect(contentOf(second.restored)).toEqual(contentOf(first.restored));
    await second.close();
  });

  test('several damaged records and a torn tail are each reported, and everything else is kept', async () => {
    const { dir, path, bytes, bounds } = await journalOf(WRITES);
    const damaged = Buffer.from(bytes.subarray(0, bounds[4]![0] + 3));
    damaged[bounds[0]![0] + 13]! ^= 0x01;
    damaged[bounds[2]![0] + 2]! ^= 0x01;
    await writeFile(path, damaged);
    const outbox = await reopen(dir);
    expect(contentOf(outbox.restored)).toEqual(await expectedAfter([WRITES[1]!, WRITES[3]!]));
    expect(outbox.restored.damage?.map(({ where, bytes: skipped }) => [where, skipped])).toEqual([
      [`byte ${bounds[0]![0]} of ${path}`, bounds[0]![1] - bounds[0]![0]],
      [`byte ${bounds[2]![0]} of ${path}`, bounds[2]![1] - bounds[2]![0]],
      [`byte ${bounds[4]![0]} of ${path}`, 3],
    ]);
    await outbox.close();
  });

  test('a record whose checksum holds but whose body this version cannot read is skipped and reported, the next one read', async () => {
    const { dir, path, bytes } = await journalOf(WRITES.slice(0, 2));
    const marker = bytes.subarray(12, 16);
    const unreadable = encodeFrame(marker, 2, (writer) => {
      writer.u8(1);
      writer.u8(99);
    });
    const next: OutboxChange[] = [{ op: 'put', record: record(20) }];
    await writeFile(path, Buffer.concat([bytes, unreadable, encodeRecord(marker, next)]));
    const outbox = await reopen(dir);
    expect(contentOf(outbox.restored)).toEqual(await expectedAfter([...WRITES.slice(0, 2), next]));
    expect(outbox.restored.damage).toEqual([{ where: `byte ${bytes.length} of ${path}`, bytes: unreadable.length, reason: 'an unreadable record: unknown change 99' }]);
    await outbox.close();
  });

  test('records inside a payload (a journal sent as a message) are never taken for real ones, even when recovery scans through them', async () => {
    const other = await journalOf([[{ op: 'put', record: record(666) }, { op: 'putIncoming', packetId: 666 }]]);
    const carrier: OutboxChange[] = [{ op: 'put', record: record(2, { payload: other.bytes }) }];
    const { dir, path, bytes, bounds } = await journalOf([WRITES[0]!, carrier, WRITES[2]!]);
    const damaged = Buffer.from(bytes);
    damaged[bounds[1]![0] + 1]! ^= 0x01; // the carrier's marker: recovery scans through its payload
    await writeFile(path, damaged);
    const outbox = await reopen(dir);
    expect(contentOf(outbox.restored)).toEqual(await expectedAfter([WRITES[0]!, WRITES[2]!]));
    expect(outbox.restored.damage).toEqual([{ where: `byte ${bounds[1]![0]} of ${path}`, bytes: bounds[1]![1] - bounds[1]![0], reason: expect.any(String) }]);
    await outbox.close();
  });
});

describe('the journal header', () => {
  test('a damaged header is reported and the records after it are still read', async () => {
    const { dir, path, bytes } = await journalOf(WRITES);
    const damaged = Buffer.from(bytes);
    damaged[3]! ^= 0x20;
    await writeFile(path, damaged);
    const outbox = await reopen(dir);
    expect(contentOf(outbox.restored)).toEqual(await expectedAfter(WRITES));
    expect(outbox.restored.damage).toEqual([{ where: `byte 0 of ${path}`, bytes: 20, reason: expect.stringMatching(/header/) }]);
    await outbox.close();
    const again = await reopen(dir);
    expect(again.restored.damage).toBeUndefined();
    await again.close();
  });

  test('a file that is no journal at all is moved aside, reported, and the outbox starts empty', async () => {
    const dir = await tempDir();
    const path = (await reopen(dir).then(async (outbox) => (await outbox.close(), outbox.journalPath))) as string;
    const junk = Buffer.from('these bytes are not a journal, and not long enough to look like one');
    await writeFile(path, junk);
    const outbox = await reopen(dir);
    expect(contentOf(outbox.restored)).toEqual({ outgoing: [], incoming: [], nextId: 1 });
    expect(outbox.restored.damage).toEqual([{ where: `byte 0 of ${path}`, bytes: junk.length, reason: expect.stringMatching(/moved aside/) }]);
    const aside = (await readdir(dir)).filter((name) => name.includes('.unreadable-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!))).toEqual(junk);
    await outbox.close();
  });

  test('a journal of a later format is refused with an OutboxError and left as it is', async () => {
    const { dir, path } = await journalOf(WRITES);
    const later = encodeHeader(Buffer.from([1, 2, 3, 4]));
    later[8] = 2;
    const { crc32 } = await import('../../src/fs/crc32');
    later.writeUInt32LE(crc32(later, 0, 16), 16);
    await writeFile(path, later);
    await expect(reopen(dir)).rejects.toMatchObject({ code: 'ERR_OUTBOX', message: expect.stringMatching(/format 2/) });
    expect(await readFile(path)).toEqual(later);
    // The refused open let go of its lock.
    await writeFile(path, Buffer.alloc(0));
    await (await reopen(dir)).close();
  });

  test('an empty journal file opens as a new outbox, with nothing to report', async () => {
    const { dir, path } = await journalOf(WRITES);
    await writeFile(path, Buffer.alloc(0));
    const outbox = await reopen(dir);
    expect(outbox.restored).toEqual({ outgoing: [], incoming: [], nextId: 1 });
    await outbox.close();
  });
});
