import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileOutbox } from '@courier/outbox-store/fs';
import { expect, test } from 'vitest';
import { outboxFiles } from '../../src/fs/file-names';
import { startChild } from './child-process';
import { tempDir } from './temp-dir';

const BOOT_ID = '/proc/sys/kernel/random/boot_id';
const bootId = existsSync(BOOT_ID) ? readFileSync(BOOT_ID, 'utf8').trim() : '';

test('a second open in the same process is refused with an OutboxError naming this process; close lets go', async () => {
  const dir = await tempDir();
  const store = fileOutbox({ dir });
  const first = await store.open('c1');
  await expect(fileOutbox({ dir }).open('c1')).rejects.toMatchObject({
    name: 'OutboxError',
    code: 'ERR_OUTBOX',
    message: expect.stringContaining(`already open in this process (pid ${process.pid})`),
  });
  await first.close();
  expect(await readdir(dir)).toEqual(['o-c1.journal']);
  await (await store.open('c1')).close();
});

test('an outbox reached through another path to the same directory is still refused', async () => {
  const dir = await tempDir();
  const alias = `${dir}-alias`;
  await symlink(dir, alias);
  try {
    const first = await fileOutbox({ dir }).open('c1');
    await expect(fileOutbox({ dir: alias }).open('c1')).rejects.toMatchObject({ code: 'ERR_OUTBOX' });
    await first.close();
  } finally {
    await rm(alias);
  }
});

test('an outbox held by another process is refused with an OutboxError naming its pid; once it is SIGKILLed, its stale lock is taken over', async () => {
  const dir = await tempDir();
  const holder = await startChild(['hold', dir, 'c1']);
  const [, pid] = await holder.waitFor(/^holding (\d+)$/);
  await expect(fileOutbox({ dir }).open('c1')).rejects.toMatchObject({
    code: 'ERR_OUTBOX',
    message: expect.stringMatching(new RegExp(`already open in process ${pid}: .*o-c1\\.lock is locked`)),
  });
  holder.child.kill('SIGKILL');
  await holder.exited;
  expect(existsSync(outboxFiles(dir, 'c1').lock)).toBe(true);
  const outbox = await fileOutbox({ dir }).open('c1');
  expect(outbox.restored.outgoing.map((r) => r.topic)).toEqual(['held']);
  expect((await readFile(outboxFiles(dir, 'c1').lock, 'utf8')).split('\n')[0]).toBe(String(process.pid));
  await outbox.close();
}, 20_000);

test('a lock left by an earlier process that had this pid (pid 1 in a container, say) is stale', async () => {
  const dir = await tempDir();
  await writeFile(outboxFiles(dir, 'c1').lock, `${process.pid}\n${bootId}\n`);
  await (await fileOutbox({ dir }).open('c1')).close();
});

// Skipped only on a system without /proc/sys/kernel/random/boot_id (not Linux): there is no boot
// id to compare.
test.skipIf(bootId === '')('a lock written before the last reboot is stale whatever its pid; one of this boot held by a live pid is not', async () => {
  const dir = await tempDir();
  const lock = outboxFiles(dir, 'c1').lock;
  await writeFile(lock, `1\nanother-boot\n`);
  await (await fileOutbox({ dir }).open('c1')).close();
  await writeFile(lock, `1\n${bootId}\n`);
  await expect(fileOutbox({ dir }).open('c1')).rejects.toMatchObject({ code: 'ERR_OUTBOX', message: expect.stringContaining('already open in process 1') });
});

test('a lock file without a pid is taken as held, with a message that says what to do', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'o-c1.lock'), '');
  await expect(fileOutbox({ dir }).open('c1')).rejects.toMatchObject({ code: 'ERR_OUTBOX', message: expect.stringMatching(/creating it.*delete the lock file/) });
});
