import { open, readFile, rename, rm } from 'node:fs/promises';
import type { SessionSnapshot, SessionStore } from './session-store';

const FORMAT = 'courier-broker-sessions/1';

/**
 * A session store in one JSON file: written to `path.tmp`, flushed to disk, then renamed over
 * `path`, so that a crash while saving leaves the old file or the new one, never half of one.
 * Byte arrays are written in base64, maps and sets as arrays of their entries.
 */
export function fileSessionStore(path: string): SessionStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return parseSnapshot(text, path);
    },
    async save(snapshot) {
      const temporary = `${path}.tmp`;
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(JSON.stringify({ format: FORMAT, ...snapshot }, replacer));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}

function parseSnapshot(text: string, path: string): SessionSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, reviver);
  } catch (error) {
    throw new Error(`session store ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const snapshot = parsed as Partial<SessionSnapshot> & { format?: unknown };
  if (
    snapshot?.format !== FORMAT ||
    typeof snapshot.savedAt !== 'number' ||
    !Array.isArray(snapshot.sessions) ||
    !Array.isArray(snapshot.retained)
  ) {
    throw new Error(`session store ${path} is not a ${FORMAT} file`);
  }
  return { savedAt: snapshot.savedAt, sessions: snapshot.sessions, retained: snapshot.retained };
}

// `this[key]` is the value before toJSON: a Buffer payload would otherwise arrive as { type, data }.
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
  if (raw instanceof Map) return { $map: [...raw] };
  if (raw instanceof Set) return { $set: [...raw] };
  return value;
}

// Only an object with that one key and a value of the right type is read as a tag.
function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const tagged = value as { $bytes?: unknown; $map?: unknown; $set?: unknown };
  if (typeof tagged.$bytes === 'string') return Uint8Array.from(Buffer.from(tagged.$bytes, 'base64'));
  if (Array.isArray(tagged.$map)) return new Map(tagged.$map as [unknown, unknown][]);
  if (Array.isArray(tagged.$set)) return new Set(tagged.$set);
  return value;
}
