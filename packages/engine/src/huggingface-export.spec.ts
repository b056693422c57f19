import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tokenizer } from '@rewardkit/core';
import type { SafeTensor } from '@rewardkit/safetensors';
import { ADDED_PAD_TOKEN, completeTokenizerFiles, distinctPad } from './huggingface-export';

const EOS = 4;
const tok = (padId: number, vocabSize = 5) => ({ name: 't', vocabSize, eosId: EOS, padId }) as unknown as Tokenizer;
const wte = (rows: number): Map<string, SafeTensor> =>
  new Map([['transformer.wte.weight', { dtype: 'F32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => i + 1) }]]);
/** A word-level tokenizer.json: ids 0..3 words, 4 the EOS (an added special token). */
const tokenizerJson = (extra: object[] = []) => ({
  added_tokens: [{ id: EOS, content: '</s>', special: true }, ...extra],
  model: { type: 'WordLevel', vocab: { a: 0, b: 1, c: 2, d: 3, '</s>': EOS } },
  post_processor: { type: 'ByteLevel' },
});

describe('huggingface-export: a pad distinct from the EOS', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-hfx-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps a tokenizer pad that is not the EOS as it is', () => {
    const tensors = wte(5);
    const config: Record<string, unknown> = { model_type: 'gpt2', vocab_size: 5, pad_token_id: 0 };
    expect(distinctPad(tok(0), config, tensors, dir)).toEqual({ padId: 0, addedToken: false, addedRows: 0 });
    expect(tensors.get('transformer.wte.weight')!.shape).toEqual([5, 2]);
    expect(config.pad_token_id).toBe(0);
  });

  it('pad = EOS: adds <|pad|> at the next id and one zero embedding row', () => {
    const tensors = wte(5);
    const config: Record<string, unknown> = { model_type: 'gpt2', vocab_size: 5, pad_token_id: EOS };
    const pad = distinctPad(tok(EOS), config, tensors, dir);
    expect(pad).toEqual({ padId: 5, addedToken: true, addedRows: 1, embedding: 'transformer.wte.weight' });
    const t = tensors.get('transformer.wte.weight')!;
    expect(t.shape).toEqual([6, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0]);
    expect(config).toMatchObject({ vocab_size: 6, pad_token_id: 5 });

    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'LlamaTokenizer', add_bos_token: true, pad_token: '</s>' }));
    completeTokenizerFiles(dir, tok(EOS), pad, 64);
    const tj = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
    expect(tj.added_tokens.map((t: { id: number; content: string }) => [t.id, t.content])).toEqual([[EOS, '</s>'], [5, ADDED_PAD_TOKEN]]);
    expect(tj.post_processor.single).toEqual([{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }]);
    expect(tj.post_processor.special_tokens['</s>'].ids).toEqual([EOS]);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
    expect(cfg).toEqual({
      tokenizer_class: 'PreTrainedTokenizerFast',
      eos_token: '</s>',
      pad_token: ADDED_PAD_TOKEN,
      padding_side: 'right',
      truncation_side: 'left',
      model_max_length: 64,
    });
  });

  it('pad = EOS with rows to spare, or a <|pad|> already there: no row is added', () => {
    const spare = wte(8);
    expect(distinctPad(tok(EOS), { model_type: 'gpt2' }, spare, dir)).toMatchObject({ padId: 5, addedRows: 0 });
    expect(spare.get('transformer.wte.weight')!.shape).toEqual([8, 2]);

    // exported before, loaded as pretrained (its tokenizer kept pad = EOS), exported again
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson([{ id: 5, content: ADDED_PAD_TOKEN, special: true }])));
    const again = wte(6);
    const config: Record<string, unknown> = { model_type: 'gpt2' };
    expect(distinctPad(tok(EOS, 6), config, again, dir)).toMatchObject({ padId: 5, addedToken: true, addedRows: 0 });
    expect(config).toMatchObject({ vocab_size: 6, pad_token_id: 5 });
  });

  it('refuses a model type whose embedding it does not know', () => {
    expect(() => distinctPad(tok(EOS), { model_type: 'llama' }, wte(5), dir)).toThrow(/no token embedding known for model_type "llama"/);
  });
});
