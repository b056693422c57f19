import path from 'node:path';

const dir = path.resolve(__dirname, '..', 'hh-rlhf');

/**
 * Real human preference pairs from Anthropic's HH-RLHF harmless-base (MIT licence, see
 * hh-rlhf/LICENSE and hh-rlhf/README.md): the trainer's default data.
 */
export const hhRlhf = {
  dir,
  /** 1,748 training pairs. */
  train: path.join(dir, 'train.jsonl'),
  /** 555 held-out pairs from disjoint prompt groups. */
  test: path.join(dir, 'test.jsonl'),
} as const;
