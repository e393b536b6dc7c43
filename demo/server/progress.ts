// A progress line for a long step: a spinner redrawn in place on a terminal; on a pipe (CI, a
// test reading the output) one plain line per step, since "\r" would only clutter a log.
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Shows what is running now; `done()` clears it. */
export class Progress {
  private text = '';
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  update(text: string): void {
    this.text = text;
    if (!this.out.isTTY) {
      this.out.write(`  … ${text}\n`);
      return;
    }
    this.timer ??= setInterval(() => this.draw(), 80);
    this.draw();
  }

  done(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.out.write(`\r\x1b[2K  ${FRAMES[this.frame]} ${this.text}`);
  }
}
