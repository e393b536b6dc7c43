// The words of each MQTT 5.0 reason code for messages ("0x97 Quota exceeded"), loaded with the
// property codec before a client's first connection at 5.0 rather than at start
// (property-field.ts, reason-code-text.ts). They are the words that `describeReasonCode` makes of
// the names in `ReasonCode` (test/codec/reason-code-words.test.ts holds the two equal), kept apart
// so that an app which imports `ReasonCode` does not tie this lazily loaded chunk to its start.
const WORDS: Record<number, string> = {
  0x00: 'Success',
  0x01: 'Granted QoS1',
  0x02: 'Granted QoS2',
  0x04: 'Disconnect with will message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed packet',
  0x82: 'Protocol error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported protocol version',
  0x85: 'Client identifier not valid',
  0x86: 'Bad user name or password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic filter invalid',
  0x90: 'Topic name invalid',
  0x91: 'Packet identifier in use',
  0x92: 'Packet identifier not found',
  0x93: 'Receive maximum exceeded',
  0x94: 'Topic alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription identifiers not supported',
  0xa2: 'Wildcard subscriptions not supported',
};

/** A reason code as messages print it: its hex value, then its words when it has a name. */
export function reasonCodeWords(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  const words = WORDS[code];
  return words === undefined ? hex : `${hex} ${words}`;
}
