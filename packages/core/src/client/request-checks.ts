import type { ProtocolVersion, Subscription } from '../codec/packet';
import { propertiesCheckable } from '../codec/property-field';
import { InvalidArgumentError } from '../errors';
import { encodingProblem } from '../session/publish-packet';
import { subscribeEncodingProblem, unsubscribeEncodingProblem } from '../session/subscribe-packet';
import type { PublishRequest } from '../session/session-types';
import { topicFilterProblem, topicNameProblem } from '../topic/topic-filter';
import { toBytes, zeroOneOrTwo } from './client-options';
import type { PublishOptions, SubscribeOptions, UnsubscribeOptions } from './client-types';

// The checks of what the application asks for, before anything is queued: each throws an
// InvalidArgumentError that says what is wrong, and the call's promise rejects with it.

/**
 * Whether `properties` cannot be checked yet: at 5.0 before the client has loaded the property
 * codec, which it does before its outbox opens. The call is checked again then, before it is
 * queued (MqttClient), so nothing unchecked is ever sent.
 */
export function checkedLater(properties: object | undefined, version: ProtocolVersion): boolean {
  return !propertiesCheckable(properties, version);
}

/** The session's request for `publish(topic, payload, options)`. */
export function publishRequestOf(topic: string, payload: Uint8Array | string, options: PublishOptions, version: ProtocolVersion): PublishRequest {
  const problem = topicNameProblem(topic);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  const qos = zeroOneOrTwo(options.qos ?? 0, 'qos');
  const request: PublishRequest = { topic, payload: toBytes(payload, 'the payload'), qos, retain: options.retain === true };
  if (options.properties !== undefined) request.properties = options.properties;
  // Everything encoding would refuse is refused now, before anything is queued.
  const refusal = checkedLater(request.properties, version) ? undefined : encodingProblem(request, version);
  if (refusal !== undefined) throw new InvalidArgumentError(refusal.message);
  return request;
}

/** The subscriptions of `subscribe(filters, options)`. */
export function subscriptionsOf(filters: string | string[], options: SubscribeOptions, version: ProtocolVersion): Subscription[] {
  const list = Array.isArray(filters) ? filters : [filters];
  if (list.length === 0) throw new InvalidArgumentError('subscribe needs at least one topic filter');
  const qos = zeroOneOrTwo(options.qos ?? 0, 'qos');
  const { noLocal, retainAsPublished, retainHandling } = options;
  if (retainHandling !== undefined) zeroOneOrTwo(retainHandling, 'retainHandling');
  const subscriptions = list.map((topicFilter) => {
    const problem = topicFilterProblem(topicFilter);
    if (problem !== undefined) throw new InvalidArgumentError(problem);
    const subscription: Subscription = { topicFilter, qos };
    if (noLocal !== undefined) subscription.noLocal = noLocal;
    if (retainAsPublished !== undefined) subscription.retainAsPublished = retainAsPublished;
    if (retainHandling !== undefined) subscription.retainHandling = retainHandling;
    return subscription;
  });
  // What needs 5.0 (noLocal, properties...) is refused by the codec, as it would be on the wire.
  const refusal = checkedLater(options.properties, version) ? undefined : subscribeEncodingProblem(subscriptions, options.properties, version);
  if (refusal !== undefined) throw new InvalidArgumentError(refusal.message);
  return subscriptions;
}

/** The topic filters of `unsubscribe(filters, options)`. */
export function unsubscribeFiltersOf(filters: string | string[], options: UnsubscribeOptions, version: ProtocolVersion): string[] {
  const topicFilters = Array.isArray(filters) ? filters : [filters];
  if (topicFilters.length === 0) throw new InvalidArgumentError('unsubscribe needs at least one topic filter');
  for (const topicFilter of topicFilters) {
    const problem = topicFilterProblem(topicFilter);
    if (problem !== undefined) throw new InvalidArgumentError(problem);
  }
  const refusal = checkedLater(options.properties, version) ? undefined : unsubscribeEncodingProblem(topicFilters, options.properties, version);
  if (refusal !== undefined) throw new InvalidArgumentError(refusal.message);
  return topicFilters;
}
