import type { StoredSubscription } from './session-state';

/** The members of one shared subscription group (`$share/{name}/{filter}`) and whose turn is next. */
export interface SharedGroup {
  readonly members: Map<string, StoredSubscription>;
  /** Round-robin position, advanced by whoever picks a member. */
  cursor: number;
}

/** What `match` reports for a topic: each plain subscription, and each shared group. */
export interface MatchVisitor {
  subscription(clientId: string, subscription: StoredSubscription): void;
  group(group: SharedGroup): void;
}

class TopicNode {
  readonly children = new Map<string, TopicNode>();
  readonly subscriptions = new Map<string, StoredSubscription>();
  readonly groups = new Map<string, SharedGroup>();

  isEmpty(): boolean {
    return this.children.size === 0 && this.subscriptions.size === 0 && this.groups.size === 0;
  }
}

/**
 * Every subscription of every session, indexed by topic level, so that finding the subscribers
 * of a topic costs its number of levels rather than the number of subscriptions.
 * Design: one node per filter level; `+` and `#` are ordinary children that `match` also walks.
 */
export class TopicTree {
  private readonly root = new TopicNode();

  /** Adds or replaces the subscription of `clientId` to `filter` (in `shareName`'s group if shared). */
  add(clientId: string, filter: string, subscription: StoredSubscription, shareName?: string): void {
    let node = this.root;
    for (const level of filter.split('/')) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = new TopicNode();
        node.children.set(level, child);
      }
      node = child;
    }
    if (shareName === undefined) {
      node.subscriptions.set(clientId, subscription);
      return;
    }
    let group = node.groups.get(shareName);
    if (group === undefined) {
      group = { members: new Map(), cursor: 0 };
      node.groups.set(shareName, group);
    }
    group.members.set(clientId, subscription);
  }

  /** Removes the subscription of `clientId` to `filter`, pruning levels left empty. */
  remove(clientId: string, filter: string, shareName?: string): void {
    const path: TopicNode[] = [this.root];
    const levels = filter.split('/');
    for (const level of levels) {
      const child = path[path.length - 1]!.children.get(level);
      if (child === undefined) return;
      path.push(child);
    }
    const node = path[path.length - 1]!;
    if (shareName === undefined) {
      node.subscriptions.delete(clientId);
    } else {
      const group = node.groups.get(shareName);
      group?.members.delete(clientId);
      if (group?.members.size === 0) node.groups.delete(shareName);
    }
    for (let i = levels.length; i > 0 && path[i]!.isEmpty(); i--) path[i - 1]!.children.delete(levels[i - 1]!);
  }

  /** Reports every subscription and shared group whose filter matches the topic name `topic`. */
  match(topic: string, visitor: MatchVisitor): void {
    const levels = topic.split('/');
    // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with $.
    this.walk(this.root, levels, 0, visitor, topic.charCodeAt(0) === 0x24);
  }

  private walk(node: TopicNode, levels: string[], i: number, visitor: MatchVisitor, dollar: boolean): void {
    const wildcards = !(dollar && i === 0);
    if (wildcards) {
      const hash = node.children.get('#');
      if (hash !== undefined) visit(hash, visitor); // `a/#` matches `a` and everything below it
    }
    if (i === levels.length) {
      visit(node, visitor);
      return;
    }
    if (wildcards) {
      const plus = node.children.get('+');
      if (plus !== undefined) this.walk(plus, levels, i + 1, visitor, dollar);
    }
    const exact = node.children.get(levels[i]!);
    if (exact !== undefined) this.walk(exact, levels, i + 1, visitor, dollar);
  }
}

function visit(node: TopicNode, visitor: MatchVisitor): void {
  for (const [clientId, subscription] of node.subscriptions) visitor.subscription(clientId, subscription);
  for (const group of node.groups.values()) visitor.group(group);
}
