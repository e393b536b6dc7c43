import { describe, expect, it } from 'vitest';
import { filterCovers, isValidTopicFilter, parseTopicFilter, topicMatches } from '../src/topic-filter';

describe('isValidTopicFilter', () => {
  it.each(['#', '+', 'a', 'a/b', 'a/#', 'a/+/c', '+/+', '/', '/a', 'a//b', '$SYS/#', 'sport/tennis/+'])(
    'accepts %j',
    (filter) => expect(isValidTopicFilter(filter)).toBe(true),
  );

  it('[MQTT-4.7.3-1] refuses an empty filter', () => expect(isValidTopicFilter('')).toBe(false));
  it('[MQTT-4.7.3-2] refuses U+0000', () => expect(isValidTopicFilter('a/\u0000')).toBe(false));
  it.each(['a#', 'a/#/b', '#/a', 'a/b#', '##'])('[MQTT-4.7.1-1] refuses # not alone in the last level: %j', (filter) =>
    expect(isValidTopicFilter(filter)).toBe(false),
  );
  it.each(['a+', 'a/+b', '++', 'a/b+/c'])('[MQTT-4.7.1-2] refuses + not alone in its level: %j', (filter) =>
    expect(isValidTopicFilter(filter)).toBe(false),
  );
});

describe('parseTopicFilter', () => {
  it('takes a shared subscription apart', () => {
    expect(parseTopicFilter('$share/group/a/+')).toEqual({ filter: 'a/+', shareName: 'group' });
  });

  it('leaves a plain filter whole', () => expect(parseTopicFilter('a/#')).toEqual({ filter: 'a/#' }));

  it.each(['$share/', '$share//a', '$share/g', '$share/g/', '$share/g+/a', '$share/g#/a', '$share/g/a#'])(
    '[MQTT-4.8.2-1] [MQTT-4.8.2-2] refuses the shared filter %j',
    (filter) => expect(parseTopicFilter(filter)).toBeUndefined(),
  );
});

describe('topicMatches', () => {
  it.each([
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['a/b', 'a/b', true],
    ['a/b', 'a/B', false],
    ['#', 'anything/at/all', true],
  ])('%j matches %j: %s (4.7.1)', (filter, topic, matches) => expect(topicMatches(filter, topic)).toBe(matches));

  it.each([
    ['#', '$SYS/broker'],
    ['+/broker', '$SYS/broker'],
    ['+', '$SYS'],
  ])('[MQTT-4.7.2-1] %j does not match %j', (filter, topic) => expect(topicMatches(filter, topic)).toBe(false));

  it.each([
    ['$SYS/#', '$SYS/broker'],
    ['$SYS/+', '$SYS/broker'],
    ['$app/x', '$app/x'],
  ])('a filter naming the $ level, %j, matches %j', (filter, topic) => expect(topicMatches(filter, topic)).toBe(true));
});

describe('filterCovers', () => {
  it.each([
    ['a/b', 'a/b'],
    ['a/#', 'a'],
    ['a/#', 'a/b'],
    ['a/#', 'a/+'],
    ['a/#', 'a/#'],
    ['a/#', 'a/+/c/#'],
    ['+/b', 'x/b'],
    ['+/b', '+/b'],
    ['#', '#'],
    ['#', 'a/+/#'],
    ['$SYS/#', '$SYS/broker'],
  ])('%j covers %j', (outer, inner) => expect(filterCovers(outer, inner)).toBe(true));

  it.each([
    ['a/b', 'a'],
    ['a/b', 'a/+'],
    ['a/+', 'a'],
    ['a/+', 'a/#'],
    ['a/#', '#'],
    ['a/#', 'b/c'],
    ['+/b', '+/#'],
    ['a', 'a/b'],
    ['test/nosubscribe', '#'],
  ])('%j does not cover %j', (outer, inner) => expect(filterCovers(outer, inner)).toBe(false));

  it.each([
    ['#', '$SYS/broker'],
    ['+/broker', '$SYS/broker'],
  ])('[MQTT-4.7.2-1] %j does not cover %j, whose topics start with $', (outer, inner) =>
    expect(filterCovers(outer, inner)).toBe(false),
  );
});
