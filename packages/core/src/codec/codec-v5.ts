// What a client loads with import() before its first connection at 5.0 (property-field.ts): the
// property codec and the words of reason codes. Nothing here is imported at start.
export { propertyCodec } from './property-codec';
export { reasonCodeWords } from './reason-code-words';
