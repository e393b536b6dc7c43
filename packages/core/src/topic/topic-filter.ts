import { utf8Length } from '../codec/utf8';

const SHARE_PREFIX = '$share/';

/**
 * Why `topic` cannot be a Topic Name to publish to, or undefined when it can: not empty, no
 * wildcard, an MQTT string of at most 65,535 bytes [MQTT-4.7.1-1], [MQTT-4.7.3-1], [MQTT-1.5.4-1].
 */
export function topicNameProblem(topic: unknown): string | undefined {
  if (typeof topic !== 'string') return 'a topic must be a string';
  if (topic.length === 0) return 'a topic cannot be empty';
  if (topic.includes('+') || topic.includes('#')) return 'a topic to publish to cannot contain + or #';
  return stringProblem(topic);
}

/**
 * Why `filter` cannot be a Topic Filter, or undefined when it can: `#` only as the whole last
 * level [MQTT-4.7.1-2], `+` only as a whole level [MQTT-4.7.1-3], and a `$share/<name>/` prefix
 * with a name free of wildcards and `/` (4.8.2).
 */
export function topicFilterProblem(filter: unknown): string | undefined {
  if (typeof filter !== 'string') return 'a topic filter must be a string';
  if (filter.length === 0) return 'a topic filter cannot be empty';
  const problem = stringProblem(filter);
  if (problem !== undefined) return problem;
  let levels = filter.split('/');
  if (filter.startsWith(SHARE_PREFIX)) {
    const shareName = levels[1] ?? '';
    if (shareName.length === 0 || shareName.includes('+') || shareName.includes('#')) {
      return 'a shared subscription needs a share name without wildcards';
    }
    levels = levels.slice(2);
    if (levels.length === 0 || (levels.length === 1 && levels[0] === '')) return 'a shared subscription needs a topic filter';
  }
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '# must be the whole last level';
    if (level.includes('+') && level !== '+') return '+ must be a whole level';
  }
  return undefined;
}

function stringProblem(s: string): string | undefined {
  const length = utf8Length(s);
  if (length < 0) return 'a topic cannot hold U+0000 or a lone surrogate';
  if (length > 0xffff) return 'a topic is longer than 65,535 bytes in UTF-8';
  return undefined;
}

/** The filter a subscription matches with: a shared subscription's, without its `$share/<name>/`. */
export function matchingFilter(filter: string): string {
  if (!filter.startsWith(SHARE_PREFIX)) return filter;
  const end = filter.indexOf('/', SHARE_PREFIX.length);
  return end === -1 ? '' : filter.slice(end + 1);
}

/**
 * Whether `topic` matches the (valid) topic filter `filter`: `+` is one level, `#` the rest
 * including the parent level ("a/#" matches "a"), and a topic starting with `$` matches no filter
 * that starts with a wildcard [MQTT-4.7.2-1].
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = matchingFilter(filter).split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length || (level !== '+' && level !== t[i])) return false;
  }
  return f.length === t.length;
}
