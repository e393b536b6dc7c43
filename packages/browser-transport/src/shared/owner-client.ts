import type { Outbox, OutboxStore } from '@courier/core';
import type { PublishTracker } from './session-owner';

/**
 * The owner's outbox: `inner`, telling `tracker` the id of each record once its write is
 * durable, so that the tab that asked for the message learns it in the same task (a next owner
 * then awaits that id instead of publishing the message again).
 */
export function trackingOutbox(inner: OutboxStore, tracker: () => PublishTracker | undefined): OutboxStore {
  return {
    async open(clientId) {
      const outbox = await inner.open(clientId);
      const tracked: Outbox = {
        restored: outbox.restored,
        close: () => outbox.close(),
        write(changes) {
          const result = outbox.write(changes);
          const track = tracker();
          if (track === undefined || !changes.some((change) => change.op === 'put')) return result;
          const tell = () => {
            for (const change of changes) if (change.op === 'put') track(change.record.payload, change.record.id);
          };
          if (result === undefined) {
            tell();
            return undefined;
          }
          return result.then(tell);
        },
      };
      return tracked;
    },
  };
}
