// aedes-persistence-redis 11 ships no types: what aedes-cluster-node.ts uses of it.
declare module 'aedes-persistence-redis' {
  import type { AedesOptions } from 'aedes';
  export default function persistenceRedis(options: { host: string; port: number; maxSessionDelivery?: number }): NonNullable<AedesOptions['persistence']>;
}
