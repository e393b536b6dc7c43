// Where a property set sits: one bit per packet type (the four publish acks share one). Apart from
// the property table, which is loaded lazily (property-field.ts), since the packets use them too.
export const IN_CONNECT = 1 << 0;
export const IN_CONNACK = 1 << 1;
export const IN_PUBLISH = 1 << 2;
export const IN_ACK = 1 << 3;
export const IN_SUBSCRIBE = 1 << 4;
export const IN_SUBACK = 1 << 5;
export const IN_UNSUBSCRIBE = 1 << 6;
export const IN_UNSUBACK = 1 << 7;
export const IN_DISCONNECT = 1 << 8;
export const IN_AUTH = 1 << 9;
export const IN_WILL = 1 << 10;

const CONTEXT_NAMES = [
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'a publish acknowledgement',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'DISCONNECT',
  'AUTH',
  'will properties',
];

export function contextName(context: number): string {
  return CONTEXT_NAMES[31 - Math.clz32(context)] ?? 'this packet';
}
