// The settle action is typed per operation: a driver reads a publish's PublishResult, a
// subscribe's SubscribeResult, an unsubscribe's UnsubscribeResult, with no cast. The type checks
// below fail `tsc -b` (not just the run) if the action loses that precision.
import { expect, expectTypeOf, test } from 'vitest';
import type { MqttError, PublishResult, SubscribeResult, UnsubscribeResult } from '@courier/core';
import type { SettleAction } from '../../src/session/session-types';
import { SessionHarness } from './session-harness';

function settles(h: SessionHarness): SettleAction[] {
  return h.log.flatMap((action) => (action.type === 'settle' ? [action] : action.type === 'send' && action.settleWhenWritten !== undefined ? [action.settleWhenWritten] : []));
}

test('each operation settles with its own result type, or with an error and no result', () => {
  const h = new SessionHarness();
  h.connect();
  h.publish(1, 0);
  h.handle({ type: 'subscribeRequested', id: 2, subscriptions: [{ topicFilter: 'a', qos: 1 }] });
  h.receive({ type: 'suback', packetId: 1, reasonCodes: [1] });
  h.handle({ type: 'unsubscribeRequested', id: 3, topicFilters: ['a'] });
  h.receive({ type: 'unsuback', packetId: 2, reasonCodes: [0] });
  h.handle({ type: 'endRequested' });
  h.publish(4, 1);

  const seen: string[] = [];
  for (const action of settles(h)) {
    if (action.error !== undefined) {
      expectTypeOf(action.result).toEqualTypeOf<undefined>();
      expectTypeOf(action.error).toEqualTypeOf<MqttError>();
      seen.push(`${action.operation} ${action.id} ${action.error.code}`);
    } else if (action.operation === 'publish') {
      expectTypeOf(action.result).toEqualTypeOf<PublishResult>();
      seen.push(`publish ${action.id} qos ${action.result.qos}`);
    } else if (action.operation === 'subscribe') {
      expectTypeOf(action.result).toEqualTypeOf<SubscribeResult>();
      seen.push(`subscribe ${action.id} granted ${action.result.granted.join()}`);
    } else {
      expectTypeOf(action.result).toEqualTypeOf<UnsubscribeResult>();
      seen.push(`unsubscribe ${action.id} codes ${action.result.reasonCodes?.join()}`);
    }
  }
  expect(seen).toEqual(['publish 1 qos 0', 'subscribe 2 granted 1', 'unsubscribe 3 codes 0', 'publish 4 ERR_CLIENT_ENDED']);
});
