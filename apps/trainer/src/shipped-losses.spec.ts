import fs from 'node:fs';
import path from 'node:path';
import { parseRunConfig } from '@rewardkit/core';
import { lcg } from '@rewardkit/testing';
import { useScratch } from './scratch.spec-helper';
import { train } from './train';

/**
 * Every shipped loss trains through the trainer (what `trainer:launch --loss NAME` runs)
 * on generated data whose true ordering is known, for the bag model and the transformer, and
 * beats chance on held-out pairs clearly.
 *
 * The data: a response is a few words; its true reward is the sum of its words' values
 * (great +2, good +1, bad -1, awful -2, fillers 0). Training mixes every shape: pair records
 * (strength = the true gap, capped at 3), ties (equal true rewards) and 4-response rankings
 * (ranked by true reward, equal rewards tied). Held out: strict pairs only.
 */
const VALUES: Record<string, number> = { great: 2, good: 1, bad: -1, awful: -2 };
const WORDS = [...Object.keys(VALUES), 'the', 'answer', 'is', 'here', 'maybe', 'so'];
const value = (text: string) => text.split(' ').reduce((s, w) => s + (VALUES[w] ?? 0), 0);

/** A word-level Hugging Face tokenizer over exactly the generated words: tiny embeddings, fast steps. */
function writeWordTokenizer(dir: string): void {
  const words = ['[UNK]', '</s>', 'question', ...WORDS, ...Array.from({ length: 50 }, (_, i) => String(i))];
  const vocab = Object.fromEntries(words.map((w, i) => [w, i]));
  const special = { id: 1, content: '</s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [special],
      normalizer: null,
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
    }),
  );
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '</s>', pad_token: '</s>' }));
}

function generate(n: number, seed: number, shapes: 'mixed' | 'strict'): string {
  const rand = lcg(seed);
  const response = () => Array.from({ length: 2 + Math.floor(rand() * 4) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  const lines: string[] = [];
  while (lines.length < n) {
    const prompt = `question ${Math.floor(rand() * 50)}`;
    if (shapes === 'mixed' && lines.length % 3 === 2) {
      const responses = [...new Set(Array.from({ length: 6 }, response))].slice(0, 4); // distinct responses
      if (responses.length < 4) continue;
      const values = responses.map(value);
      const distinct = [...new Set(values)].sort((a, b) => b - a);
      lines.push(JSON.stringify({ prompt, responses, ranking: values.map((v) => distinct.indexOf(v)) }));
      continue;
    }
    const [a, b] = [response(), response()];
    if (a === b) continue;
    const gap = value(a) - value(b);
    if (gap === 0) {
      if (shapes === 'mixed') lines.push(JSON.stringify({ prompt, chosen: a, rejected: b, tie: true }));
      continue;
    }
    const [chosen, rejected] = gap > 0 ? [a, b] : [b, a];
    lines.push(JSON.stringify({ prompt, chosen, rejected, ...(shapes === 'mixed' ? { strength: Math.min(3, Math.abs(gap)) } : {}) }));
  }
  return lines.join('\n') + '\n';
}

const LOSSES: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['bradley-terry', { strengthMargins: { '1': 0, '2': 0.5, '3': 1 }, rankings: 'weighted' }],
  ['bradley-terry-ties', { model: 'davidson', learnTie: true }],
  ['bradley-terry-ties', { model: 'rao-kupper' }],
  ['hinge', { margin: 1, tieBand: 0.5, rankings: 'each' }],
  ['plackett-luce', {}],
];
const MODELS = {
  bag: { model: { name: 'bag-of-embeddings', config: { bigramBuckets: 0, dim: 8, hidden: 8 } }, lr: 1e-2, steps: 40 },
  transformer: { model: { name: 'transformer', config: { nLayer: 1, nHead: 2, nEmbd: 16, nPositions: 32 } }, lr: 1e-2, steps: 60 },
} as const;

describe('shipped losses train through the trainer on data with a known ordering', () => {
  const scratch = useScratch('rk-losses-', { logs: 'quiet' });
  let runs = 0;
  beforeAll(() => {
    fs.writeFileSync(path.join(scratch.dir, 'train.jsonl'), generate(300, 1, 'mixed'));
    fs.writeFileSync(path.join(scratch.dir, 'test.jsonl'), generate(150, 2, 'strict'));
    writeWordTokenizer(path.join(scratch.dir, 'tokenizer'));
  });

  describe.each(Object.entries(MODELS))('%s', (modelName, m) => {
    it.each(LOSSES)('%s %j beats chance clearly', async (loss, config) => {
      const out = path.join(scratch.dir, `${modelName}-${loss}-${++runs}`);
      const result = await train(
        parseRunConfig({
          data: { train: path.join(scratch.dir, 'train.jsonl'), eval: path.join(scratch.dir, 'test.jsonl'), maxLength: 32 },
          tokenizer: { name: 'huggingface', config: { path: path.join(scratch.dir, 'tokenizer') } },
          model: m.model,
          loss: { name: loss, config },
          train: { steps: m.steps, batchSize: 16, lr: m.lr, warmupSteps: 4 },
          evalEvery: 0,
          checkpointEvery: 0,
          out,
        }),
      );
      expect(result.eval?.accuracy).toBeGreaterThanOrEqual(0.8);
    });
  });
});
