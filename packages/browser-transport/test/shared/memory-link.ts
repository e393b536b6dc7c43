// What the tests of a shared session run on, in Node: an in-memory link between an owner and its
// tabs that copies every message (structuredClone), as a MessagePort or BroadcastChannel would,
// and the packets a client sends the reference broker, read from its packet tap.
import type { Broker } from '@courier/broker';
import * as core from '@courier/core';
import type { CoreParts } from '../../src/shared/core-parts';
import type { OwnerPort } from '../../src/shared/session-owner';
import type { ToOwner, ToTab } from '../../src/shared/share-protocol';
import type { TabPort } from '../../src/shared/tab-client';

/**
 * An owner port and tab ports over one in-memory link; closing a tab's port is a tab that goes
 * away. Owners that follow each other on it (an owner gone, the next one) share it, as the tabs
 * share one BroadcastChannel. `lose` drops the messages to the tabs it returns true for: those
 * an owner that dies never got out.
 */
export function memoryLink() {
  let toOwner: ((message: ToOwner) => void) | undefined;
  const tabs = new Map<string, (message: ToTab) => void>();
  const gone = new Map<string, () => void>();
  const link = {
    lose: (_message: ToTab) => false,
    owner: {
      post: (message) =>
        queueMicrotask(() => {
          if (link.lose(message)) return;
          for (const [tab, handler] of tabs) if (!('tab' in message) || message.tab === tab) handler(structuredClone(message));
        }),
      onMessage: (handler) => (toOwner = handler),
      liveTabs: async () => [...tabs.keys()],
      watchTab: (tab, onGone) => gone.set(tab, onGone),
    } as OwnerPort,
    tab: (id: string): TabPort => ({
      post: (message) => queueMicrotask(() => toOwner?.(structuredClone(message))),
      onMessage: (handler) => tabs.set(id, handler),
      ownsHere: () => false,
      close: async () => {
        tabs.delete(id);
        gone.get(id)?.();
      },
    }),
    raw: (message: ToOwner) => toOwner?.(message),
  };
  return link;
}

export type MemoryLink = ReturnType<typeof memoryLink>;

export interface Tapped {
  type: string;
  packetId?: number;
  dup?: boolean;
  topicFilters?: string[];
}

/** The packets `clientId` sends the broker, as they go. */
export function tapFrom(broker: Broker, clientId: string): Tapped[] {
  const seen: Tapped[] = [];
  broker.tap(({ clientId: id, direction, packet }) => {
    if (id === clientId && direction === 'in') seen.push(packet as Tapped);
  });
  return seen;
}

export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/** The core's parts, as `createClient` hands them to the sharing code. */
export const parts: CoreParts = core;
