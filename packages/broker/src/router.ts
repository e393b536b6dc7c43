import type { QoS } from '@courier/core';
import type { BrokerMessage } from './message';
import type { StoredSubscription } from './session-state';
import type { MatchVisitor, SharedGroup, TopicTree } from './topic-tree';

/** What one client gets of a message: the best QoS and every identifier of its matching subscriptions. */
export interface Target {
  qos: QoS;
  retain: boolean;
  subscriptionIdentifiers: number[] | undefined;
}

/** The subscribers of a message: plain subscriptions merged per client, and shared groups. */
export interface Targets {
  readonly clients: Map<string, Target>;
  readonly groups: SharedGroup[];
}

/**
 * Finds who receives `message`. Overlapping subscriptions of one client give it one copy at the
 * highest QoS [MQTT-3.3.4-2] with every subscription identifier [MQTT-3.3.4-4]; No Local
 * subscriptions skip the publisher's own messages [MQTT-3.8.3-3].
 */
export function findTargets(tree: TopicTree, message: BrokerMessage): Targets {
  const targets: Targets = { clients: new Map(), groups: [] };
  const visitor: MatchVisitor = {
    subscription(clientId, subscription) {
      if (subscription.noLocal && clientId === message.publisherId) return;
      merge(targets.clients, clientId, subscription, message.retain);
    },
    group(group) {
      targets.groups.push(group);
    },
  };
  tree.match(message.topic, visitor);
  return targets;
}

function merge(clients: Map<string, Target>, clientId: string, subscription: StoredSubscription, retained: boolean): void {
  // RETAIN is kept only under Retain As Published [MQTT-3.3.1-12], [MQTT-3.3.1-13]; 3.1.1
  // subscriptions never have it, so they always get 0 [MQTT-3.3.1-9] (3.1.1).
  const retain = retained && subscription.retainAsPublished;
  const id = subscription.subscriptionIdentifier;
  const target = clients.get(clientId);
  if (target === undefined) {
    clients.set(clientId, { qos: subscription.qos, retain, subscriptionIdentifiers: id === undefined ? undefined : [id] });
    return;
  }
  if (subscription.qos > target.qos) target.qos = subscription.qos;
  target.retain ||= retain;
  if (id !== undefined) (target.subscriptionIdentifiers ??= []).push(id);
}

/**
 * The member of a shared group that gets the next message: round robin over the members that
 * are connected, or over all of them (the message then waits in that session) when none is.
 */
export function pickMember(group: SharedGroup, isOnline: (clientId: string) => boolean): [string, StoredSubscription] {
  const members = [...group.members];
  const n = members.length;
  for (let k = 0; k < n; k++) {
    const index = (group.cursor + k) % n;
    if (isOnline(members[index]![0])) {
      group.cursor = index + 1;
      return members[index]!;
    }
  }
  const index = group.cursor % n;
  group.cursor = index + 1;
  return members[index]!;
}
