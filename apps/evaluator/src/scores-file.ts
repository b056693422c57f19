import fs from 'node:fs';
import type { PairScores } from '@rewardkit/core';

/**
 * `--scores FILE`: one JSON line per pair, in the data's order, for joining with people's own
 * analysis: id, both rewards, the margin, the response tokens the model saw (after truncation, EOS
 * not counted; null when unknown) and whether truncation cut the pair (null when unknown).
 */
export function writeScoresFile(file: string, scores: PairScores): void {
  const fd = fs.openSync(file, 'w');
  try {
    const lines: string[] = [];
    const flush = () => {
      if (lines.length) fs.writeSync(fd, lines.join(''));
      lines.length = 0;
    };
    for (let i = 0; i < scores.chosen.length; i++) {
      lines.push(
        JSON.stringify({
          id: scores.pairs[i].id,
          reward_chosen: scores.chosen[i],
          reward_rejected: scores.rejected[i],
          margin: scores.chosen[i] - scores.rejected[i],
          tokens_chosen: scores.chosenTokens?.[i] ?? null,
          tokens_rejected: scores.rejectedTokens?.[i] ?? null,
          truncated: scores.truncated?.[i] ?? null,
        }) + '\n',
      );
      if (lines.length === 4096) flush();
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
}
