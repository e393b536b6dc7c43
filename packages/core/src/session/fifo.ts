/**
 * Fifo lives in util/ now. This re-export only keeps client/message-stream.ts compiling until it
 * imports '../util/fifo' itself; then this file goes.
 */
export { Fifo } from '../util/fifo';
