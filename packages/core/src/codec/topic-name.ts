/** True when a topic holds a wildcard, which a Topic Name never may [MQTT-3.3.2-2], [MQTT-4.7.1-1]. */
export function hasWildcard(topic: string): boolean {
  return topic.indexOf('+') !== -1 || topic.indexOf('#') !== -1;
}
