// Prints the seed's QoS table (shared/seeds/mqtt-qos-levels.txt) with what was observed, and says
// whether each combination kept the promise its received QoS makes.
import type { Observed } from './qos-matrix';

/** What the received QoS promises end to end, and whether this row kept it (undefined: no promise). */
export function verdict(row: Observed): { promise: string; kept: boolean | undefined } {
  const level = Math.min(row.published, row.subscribed);
  if (level === 2) return { promise: 'exactly once', kept: row.lost === 0 && row.duplicates === 0 };
  if (level === 1) return { promise: 'at least once', kept: row.lost === 0 };
  return { promise: 'at most once', kept: undefined };
}

const pad = (text: string | number, width: number) => String(text).padStart(width);
const padEnd = (text: string, width: number) => text.padEnd(width);

function receivedColumn(row: Observed): string {
  const expected = Math.min(row.published, row.subscribed);
  if (row.receivedQos.length === 0) return `none (seed: QoS ${expected})`;
  const seen = row.receivedQos.map((qos) => `QoS ${qos}`).join('+');
  return row.receivedQos.length === 1 && row.receivedQos[0] === expected ? `${seen} ✓` : `${seen} ✗ seed: QoS ${expected}`;
}

function guaranteeColumn(row: Observed): string {
  const { promise, kept } = verdict(row);
  if (kept === undefined) return `${promise}: may lose${row.published === 1 ? ' or double' : ''}`;
  const what = promise === 'exactly once' ? 'none lost, none doubled' : 'none lost';
  return kept ? `${promise}: ✓ ${what}` : `${promise}: ✗ BROKEN`;
}

/** The table, one line per combination, with a header; `resent` adds the DUP=1 column. */
export function formatTable(rows: Observed[], options: { resent: boolean }): string {
  const header = ['published', 'subscribed', padEnd('received at', 13), pad('sent', 5), pad('arrived', 9), pad('extra copies', 12), pad('lost', 5)];
  if (options.resent) header.push(pad('resent DUP=1', 13));
  header.push('  guarantee');
  const lines = [`  ${header.join('  ')}`];
  for (const row of rows) {
    const cells = [
      padEnd(`QoS ${row.published}`, 9),
      padEnd(`QoS ${row.subscribed}`, 10),
      padEnd(receivedColumn(row), 13),
      pad(row.sent, 5),
      pad(row.received, 9),
      pad(row.duplicates, 12),
      pad(row.lost, 5),
    ];
    if (options.resent) cells.push(pad(row.resent, 13));
    cells.push(`  ${guaranteeColumn(row)}`);
    lines.push(`  ${cells.join('  ')}`);
  }
  return lines.join('\n');
}

/** "the 1 combination", "all 3 combinations". */
const combinations = (count: number): string => (count === 1 ? 'the 1 combination' : `all ${count} combinations`);

/** One line per promise: did every combination that makes it keep it? And what QoS 0 lost. */
export function formatSummary(rows: Observed[]): string {
  const lines: string[] = [];
  for (const [level, promise, what] of [
    [1, 'at least once', 'lost nothing'],
    [2, 'exactly once', 'lost nothing and duplicated nothing'],
  ] as const) {
    const bound = rows.filter((row) => Math.min(row.published, row.subscribed) === level);
    const broken = bound.filter((row) => verdict(row).kept === false);
    lines.push(
      broken.length === 0
        ? `  ✓ QoS ${level} (${promise}) ${what} in ${combinations(bound.length)} received at QoS ${level}.`
        : `  ✗ QoS ${level} (${promise}) broke its promise in ${broken.length} of the ${bound.length} combination${bound.length === 1 ? '' : 's'} received at QoS ${level}.`,
    );
  }
  const atMostOnce = rows.filter((row) => Math.min(row.published, row.subscribed) === 0);
  const lost = atMostOnce.reduce((sum, row) => sum + row.lost, 0);
  const sent = atMostOnce.reduce((sum, row) => sum + row.sent, 0);
  lines.push(`  · QoS 0 (at most once) promises nothing: the cuts lost ${lost} of the ${sent} messages sent in ${combinations(atMostOnce.length)} received at QoS 0, and nothing resent them.`);
  return lines.join('\n');
}
