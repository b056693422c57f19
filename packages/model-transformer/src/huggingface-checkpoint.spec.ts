import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointError, type LogLevel, setLogSink } from '@rewardkit/core';
import { readSafetensorsFile, type SafeTensor, writeSafetensorsFile } from '@rewardkit/safetensors';
import { loadHuggingFaceModel } from './huggingface-checkpoint';
import { batchOf, FIXTURE_DIR, scoresOf, useTestBackend } from './spec-helpers';
import { transformerModel } from './transformer.plugin';
import { TransformerConfigSchema } from './transformer-config';

interface Golden {
  padId: number;
  eosId: number;
  sequences: number[][];
  lengths: number[];
  scores: number[];
}

const golden = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'golden.json'), 'utf8')) as Golden;
const ctx = { vocabSize: 50, padId: golden.padId, eosId: golden.eosId, seed: 3 };
const opts = { dropout: 0, initStd: 0.02 };

let tmp: string;
let logs: [LogLevel, string][];
useTestBackend('cpu');
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-gpt2-'));
  logs = [];
  setLogSink((level, line) => logs.push([level, line]));
});
afterEach(() => {
  setLogSink(undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A copy of the fixture with its config and tensors edited. */
function variant(edit: { config?: (c: Record<string, unknown>) => void; tensors?: (t: Map<string, SafeTensor>) => void } = {}): string {
  const config = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
  const tensors = new Map(readSafetensorsFile(path.join(FIXTURE_DIR, 'model.safetensors')).tensors);
  edit.config?.(config);
  edit.tensors?.(tensors);
  fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify(config));
  writeSafetensorsFile(path.join(tmp, 'model.safetensors'), tensors, { format: 'pt' });
  return tmp;
}

describe('golden scores from the numpy reference (tools/golden/make_gpt2_golden.py)', () => {
  it('matches each sequence scored alone and all of them in one padded batch to 1e-4', () => {
    const model = loadHuggingFaceModel(FIXTURE_DIR, ctx, opts);
    try {
      const alone = golden.sequences.map((s) => scoresOf(model, batchOf([s], golden.padId))[0]);
      const padded = scoresOf(model, batchOf(golden.sequences, golden.padId));
      golden.scores.forEach((want, i) => {
        expect(Math.abs(alone[i] - want)).toBeLessThan(1e-4);
        expect(Math.abs(padded[i] - want)).toBeLessThan(1e-4);
      });
    } finally {
      model.dispose();
    }
  });

  it('loads through the plugin with `pretrained`, taking sizes from config.json', () => {
    const model = transformerModel.create(TransformerConfigSchema.parse({ pretrained: FIXTURE_DIR }), ctx);
    try {
      expect(model.parameters).toHaveLength(2 + 2 * 12 + 3);
      expect(scoresOf(model, batchOf([golden.sequences[2]]))[0]).toBeCloseTo(golden.scores[2], 4);
      expect(logs.some(([, l]) => l.includes('2 layers, 2 heads, 16 dims'))).toBe(true);
    } finally {
      model.dispose();
    }
  });

  it('accepts GPT2Model names, ignores attention buffers and lm_head, and starts a missing score head fresh', () => {
    const dir = variant({
      config: (c) => (c.architectures = ['GPT2LMHeadModel']),
      tensors: (t) => {
        const renamed = new Map<string, SafeTensor>();
        for (const [name, v] of t) if (name !== 'score.weight') renamed.set(name.replace(/^transformer\./, ''), v);
        renamed.set('h.0.attn.bias', { dtype: 'F32', shape: [1, 1, 32, 32], data: new Float32Array(1024) });
        renamed.set('lm_head.weight', t.get('transformer.wte.weight')!);
        t.clear();
        for (const [k, v] of renamed) t.set(k, v);
      },
    });
    const a = loadHuggingFaceModel(dir, ctx, opts);
    const b = loadHuggingFaceModel(dir, ctx, opts);
    const c = loadHuggingFaceModel(dir, { ...ctx, seed: 4 }, opts);
    try {
      const wte = a.parameters[0];
      expect(wte.name).toBe('transformer.wte.weight');
      const fixtureWte = readSafetensorsFile(path.join(FIXTURE_DIR, 'model.safetensors')).tensors.get('transformer.wte.weight')!;
      expect(Array.from(wte.variable.dataSync())).toEqual(Array.from(fixtureWte.data));
      const head = (m: typeof a) => Array.from(m.parameters.at(-1)!.variable.dataSync());
      expect(head(a)).toEqual(head(b)); // seeded
      expect(head(a)).not.toEqual(head(c));
      expect(logs.some(([, l]) => l.includes('has no score.weight') && l.includes('starts fresh'))).toBe(true);
    } finally {
      [a, b, c].forEach((m) => m.dispose());
    }
  });
});

describe('bad checkpoint directories give one clear CheckpointError', () => {
  const expectError = (dir: string, pattern: RegExp, context = ctx) => {
    let caught: unknown;
    try {
      loadHuggingFaceModel(dir, context, opts).dispose();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CheckpointError);
    expect((caught as Error).message).toMatch(pattern);
  };

  it('a directory that does not exist', () => expectError(path.join(tmp, 'nope'), /nope does not exist; expected a directory/));

  it('no config.json', () => {
    fs.copyFileSync(path.join(FIXTURE_DIR, 'model.safetensors'), path.join(tmp, 'model.safetensors'));
    expectError(tmp, /no config\.json; expected a Hugging Face model directory/);
  });

  it('config.json that is not JSON', () => {
    fs.writeFileSync(path.join(tmp, 'config.json'), '{"model_type": ');
    expectError(tmp, /config\.json is not valid JSON/);
  });

  it('no model.safetensors (with a hint for pytorch_model.bin)', () => {
    fs.copyFileSync(path.join(FIXTURE_DIR, 'config.json'), path.join(tmp, 'config.json'));
    expectError(tmp, /no model\.safetensors; expected/);
    fs.writeFileSync(path.join(tmp, 'pytorch_model.bin'), '');
    expectError(tmp, /found pytorch_model\.bin/);
  });

  it('an unknown model_type or architecture', () => {
    expectError(variant({ config: (c) => (c.model_type = 'llama') }), /model_type "llama" is not supported; expected "gpt2"/);
    expectError(
      variant({ config: (c) => (c.architectures = ['LlamaForCausalLM']) }),
      /architectures \["LlamaForCausalLM"\] not supported; expected one of GPT2Model/,
    );
  });

  it('an unsupported activation or attention variant', () => {
    expectError(variant({ config: (c) => (c.activation_function = 'relu') }), /activation_function "relu" is not supported/);
    expectError(variant({ config: (c) => (c.scale_attn_by_inverse_layer_idx = true) }), /scale_attn_by_inverse_layer_idx/);
  });

  it('a size field that is not a positive integer', () => {
    expectError(variant({ config: (c) => delete c.n_layer }), /field "n_layer" must be a positive integer, found undefined/);
  });

  it('a tensor with the wrong shape names it, expected and found', () => {
    const dir = variant({
      tensors: (t) => t.set('transformer.h.1.attn.c_attn.weight', { dtype: 'F32', shape: [48, 16], data: new Float32Array(768) }),
    });
    expectError(dir, /transformer\.h\.1\.attn\.c_attn\.weight: expected shape \[16, 48\], found \[48, 16\]/);
  });

  it('missing tensors are listed', () => {
    const dir = variant({ tensors: (t) => ['transformer.ln_f.bias', 'transformer.h.0.mlp.c_fc.weight'].forEach((n) => t.delete(n)) });
    expectError(dir, /missing 2 tensor\(s\): transformer\.h\.0\.mlp\.c_fc\.weight, transformer\.ln_f\.bias/);
  });

  it('tensors the config does not describe (a deeper network than n_layer says)', () => {
    expectError(variant({ config: (c) => (c.n_layer = 1) }), /12 tensor\(s\) that config\.json does not describe: transformer\.h\.1\./);
  });

  it('a tokenizer vocabulary larger than the embedding', () => {
    expectError(FIXTURE_DIR, /tokenizer has 51 token ids but transformer\.wte\.weight has 50 rows/, { ...ctx, vocabSize: 51 });
  });
});

// Last in the file: the backend stays switched for anything after it.
describe('golden scores on wasm (with the backend package fixes)', () => {
  useTestBackend('wasm');

  it('match the numpy reference to 1e-4, padded and alone', () => {
    const model = loadHuggingFaceModel(FIXTURE_DIR, ctx, opts);
    try {
      const alone = golden.sequences.map((s) => scoresOf(model, batchOf([s], golden.padId))[0]);
      const padded = scoresOf(model, batchOf(golden.sequences, golden.padId));
      golden.scores.forEach((want, i) => {
        expect(Math.abs(alone[i] - want)).toBeLessThan(1e-4);
        expect(Math.abs(padded[i] - want)).toBeLessThan(1e-4);
      });
    } finally {
      model.dispose();
    }
  });
});
