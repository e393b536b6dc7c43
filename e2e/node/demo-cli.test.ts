// `npm start`'s terminal part, run as users run it: the nine publish x subscribe combinations
// print the seed's downgrade table with what was observed, then again under faults, where QoS 1
// must lose nothing and QoS 2 lose and double nothing; Ctrl-C exits 0 and frees every port.
import { afterEach, describe, expect, test } from 'vitest';
import type { ChildScript } from '../support/child-process';
import { type DemoAddresses, demoAddresses, lineMatching, portIsFree, startDemoProcess } from '../support/demo-process';

const MESSAGES = 12;

interface Row {
  published: number;
  subscribed: number;
  receivedAt: string;
  sent: number;
  received: number;
  duplicates: number;
  lost: number;
  resent?: number;
}

/** The rows of the table printed after the line starting with `title`. */
function table(lines: string[], title: string): Row[] {
  const start = lines.findIndex((line) => line.startsWith(title));
  expect(start, `no table titled "${title}"`).toBeGreaterThanOrEqual(0);
  const rows: Row[] = [];
  for (const line of lines.slice(start + 3, start + 12)) {
    const match = line.match(/^\s+QoS (\d)\s+QoS (\d)\s+(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)(?:\s+(\d+))?\s{2,}\S/);
    expect(match, `not a table row: ${line}`).not.toBeNull();
    const [, published, subscribed, receivedAt, sent, received, duplicates, lost, resent] = match!;
    const row: Row = { published: Number(published), subscribed: Number(subscribed), receivedAt: receivedAt!, sent: Number(sent), received: Number(received), duplicates: Number(duplicates), lost: Number(lost) };
    if (resent !== undefined) row.resent = Number(resent);
    rows.push(row);
  }
  return rows;
}

async function expectStoppedCleanly(demo: ChildScript, { mqttPort, wsPort, httpPort }: DemoAddresses): Promise<void> {
  expect(await demo.interrupt(), demo.errors).toBe(0);
  expect(demo.lines).toContain('stopped');
  for (const port of [mqttPort, wsPort, httpPort]) expect(await portIsFree(port), `port ${port} still taken`).toBe(true);
}

describe('npm start in the terminal', () => {
  let demo: ChildScript | undefined;
  afterEach(async () => {
    await demo?.kill();
    demo = undefined;
  });

  test('prints the nine combinations at the seed\'s received QoS; under faults QoS 1 loses nothing, QoS 2 loses and doubles nothing; Ctrl-C exits 0', async () => {
    demo = startDemoProcess(['--messages', String(MESSAGES)]);
    const addresses = await demoAddresses(demo);
    await lineMatching(demo, /still at/, 60_000);

    const plain = table(demo.lines, 'Without faults');
    const faulty = table(demo.lines, 'With faults');
    const byLevel = (rows: Row[], level: number) => rows.filter((row) => Math.min(row.published, row.subscribed) === level);
    for (const rows of [plain, faulty]) {
      expect(rows.map((row) => `${row.published}${row.subscribed}`)).toEqual(['20', '21', '22', '10', '11', '12', '00', '01', '02']);
      for (const row of rows) {
        expect(row.receivedAt, `published ${row.published}, subscribed ${row.subscribed}`).toBe(`QoS ${Math.min(row.published, row.subscribed)} ✓`);
        expect(row.sent).toBe(MESSAGES);
      }
    }
    for (const row of plain) expect(row, 'no faults, loopback: everything once').toMatchObject({ received: MESSAGES, duplicates: 0, lost: 0 });
    for (const row of [...byLevel(faulty, 1), ...byLevel(faulty, 2)]) expect(row, 'QoS 1 and 2 lose nothing').toMatchObject({ received: MESSAGES, lost: 0 });
    for (const row of byLevel(faulty, 2)) expect(row.duplicates, 'QoS 2 doubles nothing').toBe(0);
    // The faults did strike: every publisher at QoS 1 or 2 resent with DUP=1.
    for (const row of faulty.filter((each) => each.published > 0)) expect(row.resent).toBeGreaterThan(0);
    expect(demo.lines).toContain('  ✓ QoS 1 (at least once) lost nothing in all 3 combinations received at QoS 1.');
    expect(demo.lines).toContain('  ✓ QoS 2 (exactly once) lost nothing and duplicated nothing in the 1 combination received at QoS 2.');
    const atMostOnce = byLevel(faulty, 0);
    const lost = atMostOnce.reduce((sum, row) => sum + row.lost, 0);
    expect(demo.lines).toContain(
      `  · QoS 0 (at most once) promises nothing: the cuts lost ${lost} of the ${MESSAGES * 5} messages sent in all 5 combinations received at QoS 0, and nothing resent them.`,
    );
    // Each table is followed by a legend that says what its columns count; the fault run's explains its numbers.
    const legends = demo.lines.filter((line) => line.startsWith('  sent: messages published. arrived: distinct messages'));
    expect(legends).toHaveLength(2);
    expect(demo.lines.filter((line) => line.startsWith('  resent DUP=1: PUBLISH packets sent again after a cut'))).toHaveLength(1);
    expect(demo.lines.some((line) => line.includes('in all 1 combination'))).toBe(false);
    // Piped output: one plain progress line per combination, no carriage returns.
    expect(demo.lines.filter((line) => line.startsWith('  … with faults: '))).toHaveLength(9);
    expect(demo.lines.join('\n')).not.toContain('\r');

    await expectStoppedCleanly(demo, addresses);
  }, 90_000);

  test('Ctrl-C in the middle of the matrix stops it, exits 0 and frees the ports', async () => {
    demo = startDemoProcess(['--messages', '500']);
    const addresses = await demoAddresses(demo);
    await lineMatching(demo, /without faults: 1\/9/, 30_000);
    await expectStoppedCleanly(demo, addresses);
    expect(demo.lines.some((line) => line.startsWith('With faults'))).toBe(false);
  }, 60_000);
});
