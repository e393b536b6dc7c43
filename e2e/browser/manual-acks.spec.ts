// The receiving half of the delivery promise in Chromium (issue 13): a page with the default
// IndexedDB outbox (clean: false) and `manualAcks` receives a backlog through the reference broker
// over WebSocket, one message at a time: it reports "did k" to the test (the test's record is the
// durable one, outside the page) and calls ack() only once the test has it. The page is reloaded
// RELOADS times, at seeded points of the drain. Nothing is lost; a QoS 2 message is processed
// twice at most once per reload (the one in hand). Odd messages go at QoS 1, even ones at QoS 2.
import { expect, type Page, test } from '@playwright/test';
import { type Broker, createBroker } from '@courier/broker';
import { connect } from '@courier/node';
import { prng } from '../support/prng';
import { call, openPage } from './support/page-calls';
import { type PageServer, startPageServer } from './support/page-server';

const SEED = Number(process.env.COURIER_RELOAD_ACKS_SEED ?? 20261207);
const MESSAGES = Number(process.env.COURIER_RELOAD_ACKS_MESSAGES ?? 1_500);
const RELOADS = 5;
/** With nothing new processed for this long, the drain is over (or stuck: the counts then say so). */
const STALL_MS = 3_000;

let broker: Broker;
let pages: PageServer;

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0, maxQueuedMessages: 10 * MESSAGES });
  pages = await startPageServer();
});
test.afterAll(async () => {
  await pages.close();
  await broker.close();
});

/** How many times each message number was processed, and at which QoS it came. */
function processed(lines: readonly string[]): { counts: Map<number, number>; qos: Map<number, number> } {
  const counts = new Map<number, number>();
  const qos = new Map<number, number>();
  for (const line of lines) {
    const [word, k, q] = line.split(' ');
    if (word !== 'did') continue;
    counts.set(Number(k), (counts.get(Number(k)) ?? 0) + 1);
    qos.set(Number(k), Number(q));
  }
  return { counts, qos };
}

/** Waits until `done()`, or until `lines` has not grown for STALL_MS. */
async function waitOrStall(lines: readonly string[], done: () => boolean): Promise<void> {
  let last = lines.length;
  let lastChange = Date.now();
  while (!done() && Date.now() - lastChange < STALL_MS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (lines.length !== last) {
      last = lines.length;
      lastChange = Date.now();
    }
  }
}

test(`a page with manualAcks reloaded ${RELOADS} times while a backlog of ${MESSAGES} drains: nothing lost, QoS 2 twice at most once per reload (seed ${SEED})`, async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const random = prng(SEED);
  const topic = 'acks/page';
  const lines: string[] = [];
  const page: Page = await openPage(browser, pages.url, lines);
  const args = { url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, clientId: 'acks-page', topic };
  /** Starts the page's receiving loop (it never returns: a reload ends it) and waits for "ready". */
  const drain = async (): Promise<void> => {
    const from = lines.length;
    void call<void>(page, 'drainWithAcks', args).catch(() => undefined);
    await expect.poll(() => lines.slice(from).includes('ready'), { timeout: 30_000 }).toBe(true);
  };
  const reload = async () => {
    await page.reload();
    await expect(page.locator('#status')).toHaveText('ready');
  };
  const distinct = () => processed(lines).counts.size;
  try {
    // The session and its subscription, then the page goes before anything arrives.
    await drain();
    await reload();

    const publisher = await connect(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'acks-page-publisher' });
    for (let k = 1; k <= MESSAGES; k += 500) {
      const batch: Promise<unknown>[] = [];
      for (let j = k; j < k + 500 && j <= MESSAGES; j++) batch.push(publisher.publish(topic, String(j), { qos: j % 2 === 1 ? 1 : 2 }));
      await Promise.all(batch);
    }
    await publisher.end();

    // The reloads fall at seeded points of the drain (messages processed, each counted once),
    // spread over all but its last 100: a reload lands a few messages after its point.
    const points = Array.from({ length: RELOADS }, () => 1 + Math.floor(random() * (MESSAGES - 100))).sort((a, b) => a - b);
    const reloadedAt: number[] = [];
    let midDrain = 0;
    for (const point of points) {
      await drain();
      await waitOrStall(lines, () => distinct() >= point);
      await reload();
      reloadedAt.push(distinct());
      if (distinct() < MESSAGES) midDrain++;
    }
    await drain();
    await waitOrStall(lines, () => distinct() >= MESSAGES);

    const { counts, qos } = processed(lines);
    const lost: number[] = [];
    for (let k = 1; k <= MESSAGES; k++) if (!counts.has(k)) lost.push(k);
    const qos2Twice = [...counts].filter(([k, n]) => k % 2 === 0 && n > 1).length;
    const qos1Twice = [...counts].filter(([k, n]) => k % 2 === 1 && n > 1).length;
    const wrongQos = [...qos].filter(([k, q]) => q !== (k % 2 === 1 ? 1 : 2)).map(([k]) => k);
    console.log(
      `reload with manualAcks (seed ${SEED}): ${RELOADS} reloads at ${reloadedAt.join(', ')} messages processed, ${counts.size} of ${MESSAGES} processed, ` +
        `${lost.length} lost, ${qos2Twice} QoS 2 twice, ${qos1Twice} QoS 1 twice`,
    );
    expect(lines.filter((line) => line.startsWith('error'))).toEqual([]);
    // Every reload fell while messages were still to be processed: else the run proves less.
    expect(midDrain).toBe(RELOADS);
    expect(wrongQos).toEqual([]);
    expect(lost).toEqual([]);
    expect(qos2Twice).toBeLessThanOrEqual(RELOADS);
  } finally {
    await page.close();
  }
});
