/** A SUBSCRIBE topic filter taken apart: `$share/{shareName}/{filter}` or a plain filter. */
export interface ParsedFilter {
  /** The filter that topics are matched against (without the `$share/name/` prefix). */
  filter: string;
  /** The share name of a shared subscription (4.8.2), absent for a plain one. */
  shareName?: string;
}

const SHARE_PREFIX = '$share/';

/**
 * Parses and validates a topic filter; `undefined` when it is not a valid filter (the broker
 * answers that filter alone with 0x80 / 0x8F in SUBACK, 3.8.4).
 */
export function parseTopicFilter(topicFilter: string): ParsedFilter | undefined {
  if (topicFilter.startsWith(SHARE_PREFIX)) {
    const rest = topicFilter.slice(SHARE_PREFIX.length);
    const slash = rest.indexOf('/');
    // [MQTT-4.8.2-1] a ShareName of one character at least; [MQTT-4.8.2-2] no / + # in it, then
    // a "/" and a Topic Filter.
    if (slash <= 0) return undefined;
    const shareName = rest.slice(0, slash);
    if (shareName.includes('+') || shareName.includes('#')) return undefined;
    const filter = rest.slice(slash + 1);
    return isValidTopicFilter(filter) ? { filter, shareName } : undefined;
  }
  return isValidTopicFilter(topicFilter) ? { filter: topicFilter } : undefined;
}

/**
 * True when `filter` is a valid topic filter: not empty [MQTT-4.7.3-1], no U+0000 [MQTT-4.7.3-2],
 * `#` alone in the last level [MQTT-4.7.1-1], `+` alone in its level [MQTT-4.7.1-2].
 */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return false;
    if (level.includes('+') && level !== '+') return false;
  }
  return true;
}

/**
 * True when the topic name `topic` matches the (valid, non-shared) filter `filter`. A filter that
 * starts with a wildcard never matches a topic that starts with `$` [MQTT-4.7.2-1]; `a/#` also
 * matches `a` (4.7.1.2).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * True when every topic that the (valid, non-shared) filter `inner` matches, `outer` matches too:
 * `a/#` covers `a`, `a/b`, `a/+` and `a/#`; `+/b` covers `x/b` but not `+/#`. A filter starting
 * with a wildcard covers no filter that starts with a `$` level [MQTT-4.7.2-1].
 */
export function filterCovers(outer: string, inner: string): boolean {
  if (inner.startsWith('$') && (outer.startsWith('+') || outer.startsWith('#'))) return false;
  const o = outer.split('/');
  const i = inner.split('/');
  for (let k = 0; k < o.length; k++) {
    const level = o[k];
    if (level === '#') return true;
    // (`a/#` also covers `a` (4.7.1.2): the `#` above returned before `a` ran out.)
    if (k >= i.length) return false;
    const innerLevel = i[k];
    if (innerLevel === '#') return false;
    if (level === '+') continue;
    if (innerLevel !== level) return false;
  }
  return o.length === i.length;
}
