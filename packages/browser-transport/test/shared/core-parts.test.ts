// The parts the start code hands the sharing code, as a list (core-parts.ts): each name finds
// its own part again. Error classes alike in shape would pass the type check in the wrong order.
import * as core from '@courier/core';
import { expect, test } from 'vitest';
import { createClient } from '../../src/create-client';
import { indexedDbOutbox } from '../../src/default-outbox';
import { PART_NAMES, partsOf } from '../../src/shared/core-parts';
import { sharingParts } from '../../src/shared/sharing-parts';

test('every part handed by sharingParts() is found under its own name', () => {
  const parts = partsOf(sharingParts(createClient));
  const expected: Record<string, unknown> = { ...core, createClient, indexedDbOutbox };
  for (const name of PART_NAMES) expect(parts[name], name).toBe(expected[name]);
  expect(Object.keys(parts)).toHaveLength(PART_NAMES.length);
});
