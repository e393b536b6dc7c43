// What each column of the terminal tables counts, printed under each table, so that "extra
// copies 25" beside "sent 20", or QoS 0 losing 13 of 20, reads as the protocol at work.

const PLAIN = [
  'published / subscribed: the publisher\'s QoS and the subscription\'s. received at: the QoS the subscriber',
  'got its messages at; ✓ when it is min(published, subscribed), the downgrade rule of the seed\'s table.',
  'sent: messages published. arrived: distinct messages the subscriber\'s application got. extra copies: copies',
  'of a message beyond its first. lost: sent minus arrived. guarantee: what the received QoS promises.',
];

const FAULTS = [
  'resent DUP=1: PUBLISH packets sent again after a cut, publisher to broker and broker to subscriber added up',
  '(packets, not messages: a message resent on both legs counts twice; the DUP flag says "you may have seen this").',
  'extra copies can exceed sent at QoS 1 (at least once): the broker routes every resend the publisher makes, and',
  'resends to the subscriber what it had not acknowledged, so one message can arrive three times. QoS 2 (exactly',
  'once) resends too, and the receiver recognises the repeat by its packet id: no extra copy.',
  'lost at QoS 0 (at most once): a cut takes the message it strikes and every one already written behind it on',
  'that connection (the publisher\'s cut at its 8th message loses the 8th to the last of one burst), and no one',
  'resends QoS 0. "may lose or double" at QoS 1 into a QoS 0 subscription: the publisher\'s resends are routed as well.',
];

/** The legend under a table; `faults` adds what the fault run's columns and numbers mean. */
export function formatLegend(options: { faults: boolean }): string {
  return (options.faults ? [...PLAIN, ...FAULTS] : PLAIN).map((line) => `  ${line}`).join('\n');
}
