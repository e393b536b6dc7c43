import { describe, expect, test } from 'vitest';
import { ClientEndedError, MqttError } from '@courier/core';
import { PendingOperations } from '../../src/client/pending-operations';

describe('pending operations', () => {
  test('a publish settles once, with delivered(id) on the final outcome only', async () => {
    const operations = new PendingOperations();
    const published = operations.addPublish(1, undefined, () => undefined);
    const delivered = operations.addDeliveryWaiter(1);
    operations.settlePublish(1, undefined, new MqttError('ERR_ABORTED', 'aborted after it went out'), false);
    await expect(published).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(operations.publishing(1)).toBe(false);
    operations.settle({ type: 'settle', operation: 'publish', id: 1, result: { id: 1 } });
    await expect(delivered).resolves.toEqual({ id: 1 });
  });

  test('settling removes the abort listener: aborting afterwards does nothing', () => {
    const operations = new PendingOperations();
    const controller = new AbortController();
    let aborted = 0;
    void operations.addPublish(1, controller.signal, () => aborted++);
    operations.settle({ type: 'settle', operation: 'publish', id: 1, result: { id: 1 } });
    controller.abort();
    expect(aborted).toBe(0);
  });

  test('subscribe and unsubscribe get ids of their own and settle by them', async () => {
    const operations = new PendingOperations();
    const subscribe = operations.addRequest();
    const unsubscribe = operations.addRequest();
    expect(unsubscribe.id).not.toBe(subscribe.id);
    operations.settle({ type: 'settle', operation: 'unsubscribe', id: unsubscribe.id, result: { reasonCodes: [0] } });
    operations.settle({ type: 'settle', operation: 'subscribe', id: subscribe.id, result: { granted: [1], reasonCodes: [1] } });
    operations.settle({ type: 'settle', operation: 'subscribe', id: subscribe.id, error: new MqttError('ERR_SUBSCRIBE_REJECTED', 'late') });
    await expect(subscribe.promise).resolves.toEqual({ granted: [1], reasonCodes: [1] });
    await expect(unsubscribe.promise).resolves.toEqual({ reasonCodes: [0] });
  });

  test('rejectAll rejects every publish, delivery waiter, subscribe and unsubscribe', async () => {
    const operations = new PendingOperations();
    const all = [
      operations.addPublish(1, undefined, () => undefined),
      operations.addDeliveryWaiter(2),
      operations.addRequest().promise,
      operations.addRequest().promise,
    ];
    operations.rejectAll(new ClientEndedError());
    for (const promise of all) await expect(promise).rejects.toBeInstanceOf(ClientEndedError);
  });
});
