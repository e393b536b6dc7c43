import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, linkSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { OutboxError } from '@courier/core';

// The lock files this process holds, by device and inode (a path may have aliases: symlinks).
// A lock naming our own pid that is not in here was left by an earlier process that had the
// same pid (pid 1 in a container, say): it is stale.
const held = new Set<string>();

// Linux's id of this boot: a lock written before the last reboot is stale whatever its pid.
const bootId = ((): string => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
})();

interface Holder {
  pid: number;
  boot: string;
  /** The lock file's identity: device and inode. */
  file: string;
}

function identity(stats: { dev: number; ino: number }): string {
  return `${stats.dev}:${stats.ino}`;
}

/** A lock held by this process; release() gives it up. */
export interface HeldLock {
  release(): void;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Creates the lock file whole or not at all: written under a name of its own, then hard-linked
 * to `path`, which fails with EEXIST when the lock exists (the same exclusive create as
 * O_EXCL, but a reader never sees a lock file without its pid). Where hard links are not
 * supported, an O_EXCL create does it, with that small window.
 */
function tryCreate(path: string): string | undefined {
  const content = `${process.pid}\n${bootId}\n`;
  const staging = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(staging, content, { flag: 'wx' });
    try {
      linkSync(staging, path);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return undefined;
      if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes(errorCode(error) ?? '')) throw error;
      try {
        writeFileSync(path, content, { flag: 'wx' });
      } catch (fallbackError) {
        if (errorCode(fallbackError) === 'EEXIST') return undefined;
        throw fallbackError;
      }
    }
  } finally {
    try {
      unlinkSync(staging);
    } catch {
      // Never created, or already gone: nothing to clean.
    }
  }
  return identity(statSync(path));
}

/** Who holds the lock at `path`, or undefined when it is gone. */
function readHolder(path: string): Holder | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(256);
    const text = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
    const [pid = '', boot = ''] = text.split('\n');
    return { pid: /^\d+$/.test(pid) ? Number(pid) : 0, boot, file: identity(fstatSync(fd)) };
  } finally {
    closeSync(fd);
  }
}

function isAlive(holder: Holder): boolean {
  // No pid: an O_EXCL create whose pid is not written yet. Taken as held, the safe side.
  if (holder.pid === 0) return true;
  if (holder.boot !== '' && bootId !== '' && holder.boot !== bootId) return false;
  if (holder.pid === process.pid) return held.has(holder.file);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, it is just not ours to signal.
    return errorCode(error) !== 'ESRCH';
  }
}

/**
 * Removes a stale lock. It is renamed aside first and checked to be the very file judged
 * stale: if another process took the lock over in between, its live lock is put back.
 */
function removeStale(path: string, holder: Holder): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  if (identity(statSync(aside)) !== holder.file) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone holds it again already; theirs stands.
    }
  }
  unlinkSync(aside);
}

/**
 * Takes the lock at `path` for this process, for the outbox of `clientId`. A lock held by a
 * live process (this one included) is refused with an OutboxError naming its pid; a lock left
 * by a process that is gone is taken over.
 */
export function acquireLock(path: string, clientId: string): HeldLock {
  for (let attempt = 0; attempt < 5; attempt++) {
    const file = tryCreate(path);
    if (file !== undefined) {
      held.add(file);
      return { release: () => release(path, file) };
    }
    const holder = readHolder(path);
    if (holder === undefined) continue; // released in between: try again
    if (isAlive(holder)) {
      const who = holder.pid === 0 ? 'a process that is creating it' : holder.pid === process.pid ? `this process (pid ${holder.pid})` : `process ${holder.pid}`;
      throw new OutboxError(
        `the outbox of client ${JSON.stringify(clientId)} is already open in ${who}: ${path} is locked. ` +
          'Two clients with one client id would each send what the other owes; if no such process exists, delete the lock file.',
      );
    }
    removeStale(path, holder);
  }
  throw new OutboxError(`could not take the lock ${path}: other processes keep taking it`);
}

function release(path: string, file: string): void {
  if (!held.delete(file)) return;
  try {
    // Only our own lock: if it was taken from us as stale (a pid reused after a reboot...), it is not ours to remove.
    if (identity(statSync(path)) === file) unlinkSync(path);
  } catch {
    // Already gone.
  }
}
