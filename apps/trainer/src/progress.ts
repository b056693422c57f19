import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { setLogSink } from '@rewardkit/core';

export interface StepProgress {
  readonly step: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly pairsPerSec: number;
}

/**
 * One progress display for the whole job. On a terminal: a bar with loss, accuracy, pairs/s
 * and ETA, with log lines printed above it. Elsewhere (CI, pipes): a plain line every ~5%.
 */
export class Progress {
  private readonly multi?: MultiBar;
  private readonly bar?: SingleBar;
  private readonly start = Date.now();
  private lastLine = 0;
  private smoothed?: StepProgress;

  constructor(
    private readonly total: number,
    private readonly first: number,
    private readonly write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
    tty = Boolean(process.stderr.isTTY),
  ) {
    if (tty) {
      this.multi = new MultiBar(
        {
          format: 'train |{bar}| {value}/{total} | loss {loss} | train acc {acc} | {rate} pairs/s | ETA {eta_formatted}',
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      );
      this.bar = this.multi.create(total, first, { loss: '-', acc: '-', rate: '-' });
      setLogSink((_level, line) => this.multi!.log(line + '\n'));
    }
  }

  update(p: StepProgress): void {
    // exponential smoothing: single steps are noisy at batch 32
    const a = 0.1;
    const s = this.smoothed;
    this.smoothed = s
      ? {
          step: p.step,
          loss: s.loss + a * (p.loss - s.loss),
          accuracy: s.accuracy + a * (p.accuracy - s.accuracy),
          pairsPerSec: s.pairsPerSec + a * (p.pairsPerSec - s.pairsPerSec),
        }
      : p;
    const m = this.smoothed;
    if (this.bar) {
      this.bar.update(p.step, { loss: m.loss.toFixed(4), acc: m.accuracy.toFixed(3), rate: m.pairsPerSec.toFixed(1) });
      return;
    }
    const every = Math.max(1, Math.round(this.total / 20));
    if (p.step - this.lastLine >= every || p.step === this.total) {
      this.lastLine = p.step;
      const done = p.step - this.first;
      const elapsed = (Date.now() - this.start) / 1000;
      const eta = done > 0 ? ((this.total - p.step) * elapsed) / done : 0;
      this.write(
        `[train] step ${p.step}/${this.total} | loss ${m.loss.toFixed(4)} | train acc ${m.accuracy.toFixed(3)} | ` +
          `${m.pairsPerSec.toFixed(1)} pairs/s | ETA ${eta.toFixed(0)}s`,
      );
    }
  }

  stop(): void {
    if (this.multi) {
      this.multi.stop();
      setLogSink(undefined);
    }
  }
}
