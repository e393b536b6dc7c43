/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export { prng } from '@courier/node/testing';
