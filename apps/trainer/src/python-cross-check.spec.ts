import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '@rewardkit/backend';
import { parseRunConfig, setLogSink, type EncodedPair } from '@rewardkit/core';
import { loadModelDir, scorePairs } from '@rewardkit/engine';
import { createShippedRegistry, prepareDataset } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { train } from './train';

/**
 * Issue 8: exports score identically in Python with the library's default code, both ways.
 * Python is the real thing (torch CPU + transformers, installed offline into .cache/pyenv by
 * tools/scripts/setup-python-env.sh; .ci/run runs it). Rewards must agree to 1e-4 on 100 held-out
 * pairs, with the same winner for every pair and the same token ids.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const PYTHON = path.join(ROOT, '.cache', 'pyenv', 'bin', 'python');
const SCRIPT = path.join(__dirname, 'python', 'cross_check.py');
const MAX_LENGTH = 128;
const PAIRS = 100;
const TOLERANCE = 1e-4;

const skipReason = fs.existsSync(PYTHON) ? undefined : `${PYTHON} is absent: run tools/scripts/setup-python-env.sh (it needs the torch/transformers wheels of the machine image)`;
if (skipReason) console.log(`python cross-check skipped: ${skipReason}`);
const describeWithPython = skipReason ? describe.skip : describe;

interface Scored {
  readonly ids: number[][];
  readonly rewards: number[];
  readonly default_ids: number[][];
  readonly plain_rewards: number[] | null;
  readonly pad_token_id: number;
  readonly eos_token_id: number;
}

interface RewardkitScores {
  readonly encoded: EncodedPair[];
  readonly rewards: number[]; // chosen, rejected, chosen, ...
  readonly texts: Array<{ prompt: string; chosen: string; rejected: string }>;
}

function python(...args: string[]): void {
  execFileSync(PYTHON, [SCRIPT, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TOKENIZERS_PARALLELISM: 'false', OMP_NUM_THREADS: '2' } });
}

/** rewardkit's own scores of the held-out pairs, through the evaluator's path (loadModelDir). */
async function rewardkitScores(dir: string, file: string): Promise<RewardkitScores> {
  const registry = createShippedRegistry([]);
  const { model, tokenizer } = loadModelDir(dir, registry);
  try {
    const data = await prepareDataset(file, registry, tokenizer, { loader: { name: 'auto', config: {} }, skipInvalid: false, maxLength: MAX_LENGTH });
    const { chosen, rejected } = await scorePairs(model, data.encoded, tokenizer.padId);
    return {
      encoded: data.encoded,
      rewards: Array.from(chosen).flatMap((c, i) => [c, rejected[i]]),
      texts: data.pairs.map((p) => ({ prompt: p.prompt as string, chosen: p.chosen as string, rejected: p.rejected as string })),
    };
  } finally {
    model.dispose();
  }
}

function maxDelta(a: readonly number[], b: readonly number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
}

/** Same ids, rewards within TOLERANCE, and the same winner for every pair. */
function expectSameScores(rk: RewardkitScores, py: Scored, what: string): void {
  expect(py.ids).toEqual(rk.encoded.flatMap((p) => [Array.from(p.chosen), Array.from(p.rejected)]));
  const delta = maxDelta(py.rewards, rk.rewards);
  console.log(`${what}: max |delta reward| ${delta.toExponential(2)} over ${rk.rewards.length} sequences`);
  expect(delta).toBeLessThanOrEqual(TOLERANCE);
  for (let i = 0; i < rk.rewards.length; i += 2) {
    expect([what, i / 2, Math.sign(py.rewards[i] - py.rewards[i + 1])]).toEqual([what, i / 2, Math.sign(rk.rewards[i] - rk.rewards[i + 1])]);
  }
}

describeWithPython('Python cross-check (transformers, CPU)', () => {
  let root: string;
  let testFile: string;
  let trainFile: string;
  beforeAll(async () => {
    setLogSink(() => undefined);
    await initBackend({ prefer: 'wasm' });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-pycheck-'));
    const slice = (file: string, n: number, name: string) => {
      const target = path.join(root, name);
      fs.writeFileSync(target, fs.readFileSync(file, 'utf8').split('\n').slice(0, n).join('\n') + '\n');
      return target;
    };
    testFile = slice(hhRlhf.test, PAIRS, 'test.jsonl');
    trainFile = slice(hhRlhf.train, 64, 'train.jsonl');
  });
  afterAll(() => {
    setLogSink(undefined);
    if (process.env.RK_KEEP_CROSS_CHECK) console.log(`python cross-check: kept ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  });

  const runConfig = (out: string, model: Record<string, unknown>, steps: number) =>
    parseRunConfig({
      data: { train: trainFile, maxLength: MAX_LENGTH },
      model: { name: 'transformer', config: model },
      train: { steps, batchSize: 8, warmupSteps: 1, lr: 3e-3 },
      evalEvery: 0,
      checkpointEvery: 0,
      backend: 'wasm',
      out,
    });

  /** Writes the Python scoring job for `models`, runs it, returns its results by name. */
  function scoreInPython(snippetFrom: string, models: Record<string, { dir: string; plain_batch?: boolean; at_eos_by_hand?: boolean }>, texts: RewardkitScores['texts']) {
    const readme = fs.readFileSync(path.join(snippetFrom, 'README.md'), 'utf8');
    const snippet = /```python\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const snippetFile = path.join(root, 'snippet.py');
    fs.writeFileSync(snippetFile, snippet!);
    const job = path.join(root, 'job.json');
    const out = path.join(root, 'scores.json');
    fs.writeFileSync(job, JSON.stringify({ snippet: snippetFile, models, pairs: texts, max_length: MAX_LENGTH, out }));
    python('score', job);
    return JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, Scored>;
  }

  it('a trained export, and Python-written checkpoints (own pad; pad = EOS, bf16) trained 3 steps, score the same in Python', async () => {
    // rewardkit -> Python: a tiny transformer, trained a few steps from scratch, on the default GPT-2 tokenizer (pad = EOS).
    const run = await train(runConfig(path.join(root, 'run'), { nLayer: 2, nHead: 2, nEmbd: 32, nPositions: MAX_LENGTH }, 4));
    const exported = run.finalDir;
    const config = JSON.parse(fs.readFileSync(path.join(exported, 'config.json'), 'utf8'));
    expect([config.pad_token_id, config.eos_token_id, config.vocab_size]).toEqual([50257, 50256, 50258]);
    for (const f of ['tokenizer.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json', 'README.md']) expect(fs.existsSync(path.join(exported, f))).toBe(true);

    // Python -> rewardkit -> Python: checkpoints as a Python user saves them.
    const tokenizerOnly = path.join(root, 'gpt2-tokenizer'); // GPT-2's files, without the export's pad
    createShippedRegistry([]).create('tokenizer', 'gpt2-bpe', {}, {}).save(tokenizerOnly);
    const ownPad = path.join(root, 'py-own-pad');
    const eosPad = path.join(root, 'py-eos-pad');
    python('write', ownPad, 'own', tokenizerOnly);
    python('write', eosPad, 'eos', tokenizerOnly);
    const retrained: Record<string, string> = {};
    for (const [name, dir] of Object.entries({ ownPad, eosPad })) {
      retrained[name] = (await train(runConfig(path.join(root, `run-${name}`), { pretrained: dir }, 3))).finalDir;
    }

    const rk = {
      exported: await rewardkitScores(exported, testFile),
      ownPadPlain: await rewardkitScores(ownPad, testFile), // a plain Hugging Face directory, as the evaluator reads it
      eosPadPlain: await rewardkitScores(eosPad, testFile), // ... in bfloat16, upcast
      ownPadRetrained: await rewardkitScores(retrained.ownPad, testFile),
      eosPadRetrained: await rewardkitScores(retrained.eosPad, testFile),
    };
    const py = scoreInPython(
      exported,
      {
        exported: { dir: exported, plain_batch: true },
        ownPadPlain: { dir: ownPad },
        eosPadPlain: { dir: eosPad, at_eos_by_hand: true }, // pad = EOS: Python's default reads one token early
        ownPadRetrained: { dir: retrained.ownPad, plain_batch: true },
        eosPadRetrained: { dir: retrained.eosPad, plain_batch: true },
      },
      rk.exported.texts,
    );
    for (const name of Object.keys(rk) as Array<keyof typeof rk>) expectSameScores(rk[name], py[name], name);
    for (const name of ['exported', 'eosPadRetrained'] as const) expect(py[name].pad_token_id).not.toBe(py[name].eos_token_id);

    // The plainest call, tok(texts, padding=True), agrees wherever rewardkit did not truncate the pair.
    for (const name of ['exported', 'ownPadRetrained', 'eosPadRetrained'] as const) {
      const { default_ids, plain_rewards } = py[name];
      const ids = py[name].ids;
      let compared = 0;
      default_ids.forEach((full, i) => {
        // encodePair cuts both sequences' prompt when either is too long (they share it).
        if (full.length > MAX_LENGTH || default_ids[i ^ 1].length > MAX_LENGTH) return;
        expect(full).toEqual(ids[i]);
        expect(Math.abs(plain_rewards![i] - rk[name].rewards[i])).toBeLessThanOrEqual(TOLERANCE);
        compared++;
      });
      console.log(`${name}: tok(prompt + response, padding=True) matched rewardkit on ${compared} untruncated sequences`);
      expect(compared).toBeGreaterThan(20);
    }
  }, 240_000);
});
