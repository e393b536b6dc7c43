// The faults the page's buttons ask for, carried out with the reference broker's fault injection.
import type { Broker, Fault, FaultHandle } from '@courier/broker';
import type { FlowStream } from './flow-stream';

type QoS = 0 | 1 | 2;

// Where "cut mid-flow" strikes, per QoS: after the broker has the message and before the
// publisher hears back, which is where a lost connection costs a resend.
const CUT_POINTS: Record<QoS, { fault: Omit<Fault, 'clientId'>; reason: string }> = {
  0: { fault: { direction: 'in', type: 'publish', action: 'cut-before' }, reason: 'cut as the PUBLISH arrived' },
  1: { fault: { direction: 'out', type: 'puback', action: 'cut-before' }, reason: 'cut instead of sending PUBACK' },
  2: { fault: { direction: 'out', type: 'pubrec', action: 'cut-before' }, reason: 'cut instead of sending PUBREC' },
};

/** The demo's faults: cut a connection mid-flow, hold publishes back until a reload. */
export class DemoFaults {
  private readonly cuts = new Set<{ clientId: string; handle: FaultHandle; reason: string }>();
  private readonly holds = new Map<string, FaultHandle>();
  private readonly stopTap: () => void;

  constructor(
    private readonly broker: Broker,
    private readonly flow: FlowStream,
  ) {
    // Registered after the flow stream's tap, so the page sees the dropped packet, then the cut.
    this.stopTap = broker.tap(({ clientId, direction, packet }) => {
      for (const cut of this.cuts) {
        if (cut.handle.hits === 0) continue;
        this.cuts.delete(cut);
        this.flow.send({ kind: 'cut', clientId: cut.clientId, reason: cut.reason });
      }
      // A held client's next connection (after the reload) is let through again.
      if (direction === 'in' && packet.type === 'connect') {
        this.holds.get(clientId)?.remove();
        this.holds.delete(clientId);
      }
    });
  }

  /** Arms a cut of `clientId`'s connection at its next QoS `qos` flow; says where. */
  cutMidFlow(clientId: string, qos: QoS): string {
    const { fault, reason } = CUT_POINTS[qos];
    this.cuts.add({ clientId, reason, handle: this.broker.inject({ ...fault, clientId }) });
    return reason;
  }

  /**
   * Drops the next `count` new PUBLISH packets from `clientId` (resends go through), so that they
   * stay owed by the client until it reconnects: the page reloads meanwhile.
   */
  holdPublishes(clientId: string, count: number): void {
    this.holds.get(clientId)?.remove();
    const fault: Fault = { clientId, direction: 'in', type: 'publish', action: 'drop', count, match: (packet) => packet.type === 'publish' && !packet.dup };
    this.holds.set(clientId, this.broker.inject(fault));
  }

  close(): void {
    this.stopTap();
    for (const cut of this.cuts) cut.handle.remove();
    for (const hold of this.holds.values()) hold.remove();
  }
}
