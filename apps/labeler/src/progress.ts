import { Presets, SingleBar } from 'cli-progress';

/**
 * Scoring progress with a rate. On a terminal a bar (samples/s, ETA); elsewhere (CI, pipes) a
 * plain line to stderr every ~10%.
 */
export class ScoreProgress {
  private readonly bar?: SingleBar;
  private readonly start = Date.now();
  private nextLine = 0;
  private done = 0;

  constructor(
    private readonly total: number,
    first: number,
    tty = Boolean(process.stderr.isTTY),
  ) {
    this.done = first;
    if (tty) {
      this.bar = new SingleBar(
        { format: 'score |{bar}| {value}/{total} samples | {rate} samples/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
      this.bar.start(total, first, { rate: '-' });
    }
  }

  add(n: number, fresh: number): void {
    this.done += n;
    const rate = (fresh / Math.max(1e-3, (Date.now() - this.start) / 1000)).toFixed(1);
    if (this.bar) {
      this.bar.update(this.done, { rate });
    } else if (this.done >= this.nextLine || this.done === this.total) {
      process.stderr.write(`[labeler] scored ${this.done}/${this.total} samples (${rate} samples/s)\n`);
      this.nextLine = this.done + Math.max(1, Math.ceil(this.total / 10));
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
