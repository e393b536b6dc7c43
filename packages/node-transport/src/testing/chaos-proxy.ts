import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { ChaosPipe, type PipeOwner } from './chaos-pipe';
import type { ChaosFault, ChaosFaultKind, FaultPlan } from './fault-plan';

/** Options of `startChaosProxy`: the broker behind the proxy and the plan of faults to inject. */
export interface ChaosProxyOptions {
  /** The broker to forward to (host default 127.0.0.1). */
  target: { host?: string; port: number };
  /** Which faults hit where: `randomFaults({ seed, ... })` or `scriptedFaults([...])`. */
  plan: FaultPlan;
  /** Where the proxy listens: default 127.0.0.1, on a free port. */
  host?: string;
  port?: number;
}

/** A fault that was injected: which connection (from 0, in accept order) and when. */
export interface InjectedFault extends ChaosFault {
  connection: number;
  /** Milliseconds since the proxy started. */
  atMs: number;
}

/** A running chaos proxy: point the client at its `url` instead of the broker's; close it after the test. */
export interface ChaosProxy {
  readonly host: string;
  readonly port: number;
  /** `mqtt://host:port`, for a client. */
  readonly url: string;
  /** Every fault injected so far, in order. */
  readonly injected: readonly InjectedFault[];
  /** Connections accepted so far. */
  readonly connections: number;
  /**
   * While false, faults that come due are skipped, not injected (a stall or a delay under way
   * runs out): for the quiet end of a soak, when what is owed must get through.
   */
  faultsEnabled: boolean;
  /** How many faults of each kind were injected. */
  counts(): Record<ChaosFaultKind, number>;
  /** Stops listening and ends every connection through it. */
  close(): Promise<void>;
}

/**
 * A TCP proxy for tests that sits between a client and a real broker and breaks the connection
 * where its fault plan says: it cuts it at an exact byte (mid-packet, as a real network failure
 * does), stalls it, or slows one direction. The plan is seeded, so a failing run replays with
 * the same faults at the same bytes.
 */
export async function startChaosProxy(options: ChaosProxyOptions): Promise<ChaosProxy> {
  const targetHost = options.target.host ?? '127.0.0.1';
  const startedAt = Date.now();
  const injected: InjectedFault[] = [];
  const open = new Set<Socket>();
  let accepted = 0;

  const proxy = {
    faultsEnabled: true,
    injected,
    get connections() {
      return accepted;
    },
  };

  const server = createServer((client) => {
    const index = accepted++;
    const upstream = connect({ host: targetHost, port: options.target.port });
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      open.add(socket);
      socket.on('error', () => {}); // a reset is part of the game: 'close' follows
    }
    const owner: PipeOwner = {
      get faultsEnabled() {
        return proxy.faultsEnabled;
      },
      fire(fault, pipe) {
        injected.push({ ...fault, connection: index, atMs: Date.now() - startedAt });
        const now = Date.now();
        if (fault.kind === 'cut') {
          pipe.cut();
          other(pipe).stop();
          (pipe === up ? client : upstream).destroy();
        } else if (fault.kind === 'stall') {
          up.hold(now + fault.durationMs);
          down.hold(now + fault.durationMs);
        } else {
          pipe.slow(fault.delayMs, now + fault.durationMs);
        }
      },
    };
    const up = new ChaosPipe('up', client, upstream, options.plan.faults(index, 'up'), owner);
    const down = new ChaosPipe('down', upstream, client, options.plan.faults(index, 'down'), owner);
    const other = (pipe: ChaosPipe) => (pipe === up ? down : up);
    // A side that ends or fails: what it sent still goes through, then the other side ends.
    client.once('close', () => {
      open.delete(client);
      up.finish();
      down.stop();
    });
    upstream.once('close', () => {
      open.delete(upstream);
      down.finish();
      up.stop();
    });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;

  return Object.assign(proxy, {
    host: address,
    port,
    url: `mqtt://${address.includes(':') ? `[${address}]` : address}:${port}`,
    counts() {
      const counts: Record<ChaosFaultKind, number> = { cut: 0, stall: 0, delay: 0 };
      for (const fault of injected) counts[fault.kind]++;
      return counts;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
    },
  });
}
