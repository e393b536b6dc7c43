import { describe, expect, test } from 'vitest';
import { topicFilterProblem, topicMatches, topicNameProblem } from '@courier/core';

describe('topic filters', () => {
  test.each([
    ['sport/tennis/player1/#', 'sport/tennis/player1', true], // '#' includes the parent level (4.7.1.2)
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/#', 'sport', true],
    ['#', 'anything/at/all', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true], // an empty level is a level
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['#', '$SYS/broker', false], // [MQTT-4.7.2-1]
    ['+/monitor', '$SYS/monitor', false],
    ['$SYS/#', '$SYS/broker', true],
    ['$share/group/sensors/+', 'sensors/7', true], // a shared subscription matches by its filter
    ['a/b', 'a/b', true],
    ['a/b', 'a/B', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  test.each(['sport/tennis#', 'sport/#/ranking', 'sport+', '+sport', '', '$share//a', '$share/g'])('"%s" is refused as a filter', (filter) => {
    expect(topicFilterProblem(filter)).toBeDefined();
  });

  test.each(['#', '+', 'sport/+/player1', '+/tennis/#', '/', '$share/g/a/#'])('"%s" is a valid filter', (filter) => {
    expect(topicFilterProblem(filter)).toBeUndefined();
  });

  test('a topic name to publish to is refused with a wildcard, empty, or with U+0000', () => {
    expect(topicNameProblem('a/+')).toBeDefined();
    expect(topicNameProblem('a/#')).toBeDefined();
    expect(topicNameProblem('')).toBeDefined();
    expect(topicNameProblem('a\u0000b')).toBeDefined();
    expect(topicNameProblem('a/b/c')).toBeUndefined();
  });
});
