import { type BrokerMessage, compact, isExpired } from './message';
import { topicMatches } from './topic-filter';

/**
 * The retained message of each topic (3.3.1.3). A linear scan answers a new subscription: fine
 * for a development broker, where retained topics number in the hundreds, not millions.
 */
export class RetainedStore {
  private readonly messages = new Map<string, BrokerMessage>();

  /**
   * Applies a PUBLISH with RETAIN=1: an empty payload removes the topic's retained message
   * [MQTT-3.3.1-6], [MQTT-3.3.1-7]; any other replaces it [MQTT-3.3.1-5].
   */
  retain(message: BrokerMessage): void {
    if (message.payload.length === 0) this.messages.delete(message.topic);
    else this.messages.set(message.topic, compact(message));
  }

  /** The retained messages whose topic matches `filter`, expired ones dropped [MQTT-3.3.2-5]. */
  matching(filter: string, now: number): BrokerMessage[] {
    const found: BrokerMessage[] = [];
    for (const [topic, message] of this.messages) {
      if (isExpired(message, now)) this.messages.delete(topic);
      else if (topicMatches(filter, topic)) found.push(message);
    }
    return found;
  }

  /** Every retained message, for a session store. */
  all(): BrokerMessage[] {
    return [...this.messages.values()];
  }

  get size(): number {
    return this.messages.size;
  }
}
