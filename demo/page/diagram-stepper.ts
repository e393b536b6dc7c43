// Step through the diagram one row at a time, or replay it, so that a flow drawn all at once can
// be read in the order it happened. Rows not reached yet are hidden by CSS (#diagram.stepping
// .row:not(.shown)), which also hides rows that arrive meanwhile until their turn.

const REPLAY_MS = 600;

export class DiagramStepper {
  private shown = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly status: HTMLOutputElement,
  ) {}

  /** Shows the next row; the first call hides them all and shows the first. */
  step(): void {
    if (!this.svg.classList.contains('stepping')) {
      this.svg.classList.add('stepping');
      this.shown = 0;
    }
    const rows = [...this.svg.querySelectorAll<SVGGElement>('g.row')];
    this.shown = Math.min(this.shown + 1, rows.length);
    for (const [index, row] of rows.entries()) row.classList.toggle('shown', index < this.shown);
    rows[this.shown - 1]?.scrollIntoView({ block: 'nearest' });
    this.status.textContent = `row ${this.shown} of ${rows.length}`;
    if (this.shown === rows.length) this.stop();
  }

  /** Plays the rows again from the first, one every REPLAY_MS; a second call stops it. */
  replay(): void {
    if (this.timer !== undefined) return this.stop();
    this.svg.classList.remove('stepping');
    this.step();
    this.timer = setInterval(() => this.step(), REPLAY_MS);
  }

  /** Back to the live view: every row shown. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.svg.classList.remove('stepping');
    for (const row of this.svg.querySelectorAll('g.row.shown')) row.classList.remove('shown');
  }
}
