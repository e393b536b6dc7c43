import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import * as core from '@courier/core';
import * as errors from '../src/errors';

const codes = Object.entries(errors).filter(([name]) => name.startsWith('ERR_'));

test('each code is a constant whose value is its name, exported from @courier/core', () => {
  expect(codes.length).toBeGreaterThan(0);
  for (const [name, value] of codes) {
    expect(value).toBe(name);
    expect((core as Record<string, unknown>)[name]).toBe(value);
  }
});

test('every error class carries its constant', () => {
  const connack = { type: 'connack' as const, sessionPresent: false, reasonCode: 0x87 };
  expect(new core.InvalidArgumentError('x').code).toBe(core.ERR_INVALID_ARGUMENT);
  expect(new core.ProtocolError(0x82, 'x').code).toBe(core.ERR_PROTOCOL);
  expect(new core.ConnectionError('x').code).toBe(core.ERR_CONNECTION);
  expect(new core.ConnectRefusedError(connack, 5, 'x').code).toBe(core.ERR_CONNECT_REFUSED);
  expect(new core.PublishRejectedError(0x87, { type: 'puback', packetId: 1 }, 'x').code).toBe(core.ERR_PUBLISH_REJECTED);
  expect(new core.SubscribeRejectedError([], 'x').code).toBe(core.ERR_SUBSCRIBE_REJECTED);
  expect(new core.AbortError(false).code).toBe(core.ERR_ABORTED);
  expect(new core.ClientEndedError().code).toBe(core.ERR_CLIENT_ENDED);
  expect(new core.QueueFullError('x').code).toBe(core.ERR_QUEUE_FULL);
  expect(new core.OutboxError('x').code).toBe(core.ERR_OUTBOX);
  expect(new core.DecodeError(0x81, 'x').code).toBe(core.ERR_DECODE);
  expect(new core.EncodeError('x').code).toBe(core.ERR_ENCODE);
});

test("the README's Errors table has a row for every code, and no other", () => {
  const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
  const section = readme.split('\n## Errors\n')[1]?.split('\n## ')[0] ?? '';
  const rows = [...section.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]);
  expect(rows.sort()).toEqual(codes.map(([name]) => name).sort());
});
