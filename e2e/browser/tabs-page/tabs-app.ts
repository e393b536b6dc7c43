// The page of the tabs test (tabs.spec.ts): a client that shares its session with the other tabs
// of the origin, driven through window.courierTabs. It counts, in the page, how many times each
// message arrived and how many times each of its publish promises settled.
import { connect, connectionOwner, type MqttClient } from '@courier/browser';

interface Counts {
  /** "<from> <qos> <n>" → how many times it arrived. */
  received: Record<string, number>;
  /** "<qos> <n>" → how many times its publish promise settled (and how). */
  settled: Record<string, string[]>;
  owners: string[];
  here: boolean;
}

let client: MqttClient | undefined;
const arrivals: Record<string, string[]> = {};
const counts: Counts = { received: {}, settled: {}, owners: [], here: false };

async function start(url: string, clientId: string, share: 'worker' | 'leader', topic: string): Promise<void> {
  const options = {
    clientId,
    clean: false,
    share,
    reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
    ...(share === 'worker' ? { sharedWorker: () => new SharedWorker('/tabs-worker.js', { type: 'module', name: 'courier' }) } : {}),
  };
  const c = await connect(url, options);
  client = c;
  c.on('owner', ({ owner, here }) => {
    counts.owners.push(owner);
    counts.here = here;
  });
  c.on('message', (message) => {
    const key = `${message.topic.split('/').slice(-2).join(' ')} ${new TextDecoder().decode(message.payload)}`;
    counts.received[key] = (counts.received[key] ?? 0) + 1;
    // How each arrival came (DUP flag, owner), to tell a resend from a second publish when a test fails.
    (arrivals[key] ??= []).push(`${message.dup ? 'dup' : 'new'}@${connectionOwner(c)?.owner.slice(0, 8)}`);
  });
  await c.subscribe(`${topic}/#`, { qos: 2 });
}

/** Publishes `count` messages at QoS 1 and as many at QoS 2 from `from`, without waiting for them. */
function publish(topic: string, from: string, count: number, first = 0): void {
  for (let n = first; n < first + count; n++) {
    for (const qos of [1, 2] as const) {
      const key = `${qos} ${n}`;
      client!.publish(`${topic}/${from}/${qos}`, String(n), { qos }).then(
        () => (counts.settled[key] ??= []).push('ok'),
        (error: { code?: string }) => (counts.settled[key] ??= []).push(error.code ?? 'error'),
      );
    }
  }
}

/** How many of the messages numbered first..first+count-1 from each of `from`, at QoS 1 and 2, have not arrived. */
function missing(from: string[], first: number, count: number): number {
  let absent = 0;
  for (const sender of from) for (const qos of [1, 2]) for (let n = first; n < first + count; n++) if (!counts.received[`${sender} ${qos} ${n}`]) absent++;
  return absent;
}

async function pending(): Promise<number> {
  return (await client!.pending()).length;
}

(window as unknown as { courierTabs: unknown }).courierTabs = {
  start,
  publish,
  pending,
  missing,
  distinct: () => Object.keys(counts.received).length,
  counts: () => counts,
  arrivals: (keys: string[]) => keys.map((key) => `${key}: ${arrivals[key]?.join(' ')}`),
  owner: () => ({ owners: [...counts.owners, connectionOwner(client!)?.owner], here: connectionOwner(client!)?.here }),
};
document.getElementById('status')!.textContent = 'ready';
