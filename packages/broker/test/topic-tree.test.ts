import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredSubscription } from '../src/session-state';
import { topicMatches } from '../src/topic-filter';
import { type SharedGroup, TopicTree } from '../src/topic-tree';

function subscription(topicFilter: string): StoredSubscription {
  return { topicFilter, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionIdentifier: undefined };
}

function matches(tree: TopicTree, topic: string): { clients: string[]; groups: SharedGroup[] } {
  const clients: string[] = [];
  const groups: SharedGroup[] = [];
  tree.match(topic, {
    subscription: (clientId, sub) => clients.push(`${clientId}:${sub.topicFilter}`),
    group: (group) => groups.push(group),
  });
  return { clients: clients.sort(), groups };
}

describe('TopicTree', () => {
  it('finds every subscription whose filter matches, wildcards included', () => {
    const tree = new TopicTree();
    for (const filter of ['a/b', 'a/+', 'a/#', '#', '+/b', 'a/b/c', 'x/#']) tree.add('c1', filter, subscription(filter));
    expect(matches(tree, 'a/b').clients).toEqual(['c1:#', 'c1:+/b', 'c1:a/#', 'c1:a/+', 'c1:a/b']);
    expect(matches(tree, 'a').clients).toEqual(['c1:#', 'c1:a/#']);
  });

  it('[MQTT-4.7.2-1] keeps $ topics out of filters that start with a wildcard', () => {
    const tree = new TopicTree();
    for (const filter of ['#', '+/x', '$SYS/#', '$SYS/+']) tree.add('c1', filter, subscription(filter));
    expect(matches(tree, '$SYS/x').clients).toEqual(['c1:$SYS/#', 'c1:$SYS/+']);
  });

  it('replaces the subscription of a client to the same filter, and removes it', () => {
    const tree = new TopicTree();
    tree.add('c1', 'a', subscription('a'));
    tree.add('c1', 'a', { ...subscription('a'), qos: 2 });
    tree.add('c2', 'a', subscription('a'));
    expect(matches(tree, 'a').clients).toEqual(['c1:a', 'c2:a']);
    tree.remove('c1', 'a');
    expect(matches(tree, 'a').clients).toEqual(['c2:a']);
    tree.remove('c2', 'a');
    tree.remove('c2', 'never/subscribed');
    expect(matches(tree, 'a').clients).toEqual([]);
  });

  it('reports a shared group once, with all its members', () => {
    const tree = new TopicTree();
    tree.add('c1', 'jobs/+', subscription('$share/g/jobs/+'), 'g');
    tree.add('c2', 'jobs/+', subscription('$share/g/jobs/+'), 'g');
    const { clients, groups } = matches(tree, 'jobs/1');
    expect(clients).toEqual([]);
    expect(groups).toHaveLength(1);
    expect([...groups[0]!.members.keys()]).toEqual(['c1', 'c2']);
    tree.remove('c1', 'jobs/+', 'g');
    tree.remove('c2', 'jobs/+', 'g');
    expect(matches(tree, 'jobs/1').groups).toEqual([]);
  });

  it('agrees with topicMatches on generated filters and topics', () => {
    const level = fc.constantFrom('a', 'b', '$x', '');
    const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((levels) => levels.join('/'));
    const filter = fc
      .tuple(fc.array(fc.constantFrom('a', 'b', '$x', '', '+'), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'));
    fc.assert(
      fc.property(fc.uniqueArray(filter, { maxLength: 8 }), topic, (filters, name) => {
        const tree = new TopicTree();
        for (const each of filters) tree.add('c', each, subscription(each));
        const expected = filters.filter((each) => topicMatches(each, name)).map((each) => `c:${each}`).sort();
        expect(matches(tree, name).clients).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
