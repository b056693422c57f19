/**
 * The resume file beside the output (`OUT.scores.jsonl`): a header naming what is scored, then one
 * line `{"i": sampleIndex, "r": reward}` per scored sample, appended batch by batch. An interrupted
 * run leaves at most a torn last line, which is ignored; a resumed run scores only the samples the
 * file lacks. The output itself is written only at the end (temporary file + rename), so it is
 * never half written and never holds a line twice. Rewards are float32 values, which JSON numbers
 * carry exactly, so a resumed run writes the same bytes as an uninterrupted one.
 */
import fs from 'node:fs';
import { ConfigError, createLogger } from '@rewardkit/core';

const log = createLogger('labeler');

export interface CacheKey {
  readonly format: 'rewardkit-labeler-scores';
  /** What makes two runs' rewards the same: model files, samples file, truncation. */
  readonly model: string;
  readonly samples: string;
  readonly count: number;
  readonly maxLength: number;
}

export class ScoreCache {
  private constructor(
    readonly file: string,
    readonly rewards: Float64Array,
    readonly scored: Uint8Array,
  ) {}

  /** Opens (or starts) the cache for `key`; a cache for something else is refused, not overwritten. */
  static open(file: string, key: CacheKey): ScoreCache {
    const rewards = new Float64Array(key.count);
    const scored = new Uint8Array(key.count);
    const header = JSON.stringify(key);
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, header + '\n');
      return new ScoreCache(file, rewards, scored);
    }
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    if (lines[0] !== header) {
      throw new ConfigError(
        `${file}: the resume file is for other samples or another model (${lines[0].slice(0, 200)}); ` +
          'delete it (or pass --restart) to score from the start',
      );
    }
    let torn = false;
    for (let k = 1; k < lines.length; k++) {
      if (lines[k] === '') continue;
      try {
        const { i, r } = JSON.parse(lines[k]) as { i: number; r: number };
        if (!Number.isInteger(i) || i < 0 || i >= key.count || typeof r !== 'number') throw new Error('bad entry');
        rewards[i] = r;
        scored[i] = 1;
      } catch {
        if (k !== lines.length - 1) throw new ConfigError(`${file}:${k + 1}: not a score line; delete the file to score from the start`);
        torn = true; // the write an interruption cut short
      }
    }
    if (torn) fs.writeFileSync(file, lines.slice(0, -1).join('\n') + '\n'); // drop the torn line before appending
    const done = scored.reduce((a, b) => a + b, 0);
    if (done) log.info(`resuming: ${done} of ${key.count} samples already scored (${file})`);
    return new ScoreCache(file, rewards, scored);
  }

  missing(): number[] {
    const out: number[] = [];
    this.scored.forEach((s, i) => s || out.push(i));
    return out;
  }

  /** One append per batch: a crash loses at most that batch. */
  record(indices: readonly number[], rewards: ArrayLike<number>): void {
    let text = '';
    indices.forEach((i, k) => {
      this.rewards[i] = rewards[k];
      this.scored[i] = 1;
      text += `{"i":${i},"r":${JSON.stringify(rewards[k])}}\n`;
    });
    fs.appendFileSync(this.file, text);
  }
}
