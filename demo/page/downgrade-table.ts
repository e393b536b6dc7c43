// The seed's nine-row table (shared/seeds/mqtt-qos-levels.txt: "QoS of Messages Published, QoS of
// Messages Subscribed, Final QoS"), filled live with the QoS the subscriber actually received at,
// the row of the current choice highlighted. Kept in sessionStorage, like the counts.
type QoS = 0 | 1 | 2;

const KEY = 'courier-demo:downgrade';
/** The seed's order: published 2, 1, 0; subscribed 0, 1, 2 within each. */
const ROWS: [QoS, QoS][] = [2, 1, 0].flatMap((published) => [0, 1, 2].map((subscribed): [QoS, QoS] => [published as QoS, subscribed as QoS]));

/** Per "published,subscribed": how many messages arrived at each received QoS. */
type Seen = Record<string, [number, number, number]>;

export class DowngradeTable {
  private readonly seen: Seen = JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Seen;

  constructor(private readonly body: HTMLTableSectionElement) {
    for (const [published, subscribed] of ROWS) {
      const row = document.createElement('tr');
      row.dataset.published = String(published);
      row.dataset.subscribed = String(subscribed);
      for (const text of [`QoS ${published}`, `QoS ${subscribed}`, `QoS ${Math.min(published, subscribed)}`, '']) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      row.lastElementChild!.className = 'seen';
      body.append(row);
    }
    this.render();
  }

  /** A message published at `published` arrived at `received` while the subscription was at `subscribed`. */
  observe(published: QoS, subscribed: QoS, received: QoS): void {
    const counts = (this.seen[`${published},${subscribed}`] ??= [0, 0, 0]);
    counts[received] += 1;
    sessionStorage.setItem(KEY, JSON.stringify(this.seen));
    this.render();
  }

  /** Highlights the row of the publish and subscription QoS picked now. */
  highlight(published: QoS, subscribed: QoS): void {
    for (const row of this.body.rows) row.classList.toggle('current', row.dataset.published === String(published) && row.dataset.subscribed === String(subscribed));
  }

  private render(): void {
    for (const row of this.body.rows) {
      const published = Number(row.dataset.published) as QoS;
      const subscribed = Number(row.dataset.subscribed) as QoS;
      const counts = this.seen[`${published},${subscribed}`];
      const cell = row.querySelector<HTMLTableCellElement>('.seen')!;
      if (counts === undefined) {
        cell.textContent = 'not tried yet';
        continue;
      }
      const expected = Math.min(published, subscribed);
      cell.textContent = ([0, 1, 2] as const)
        .filter((qos) => counts[qos] > 0)
        .map((qos) => `QoS ${qos} ${qos === expected ? '✓' : '✗'} (${counts[qos]} message${counts[qos] === 1 ? '' : 's'})`)
        .join(', ');
      row.classList.add('observed');
    }
  }
}
