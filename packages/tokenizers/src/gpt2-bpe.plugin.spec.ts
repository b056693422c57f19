import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { PluginRegistry } from '@rewardkit/core';
import { gpt2Bpe } from './gpt2-bpe.plugin';
import { openHuggingface } from './huggingface.plugin';
import { loadTokenizer } from './load-tokenizer';
import { register } from './register';

const registry = new PluginRegistry();
register(registry);
const gpt2 = registry.create('tokenizer', 'gpt2-bpe', {}, {});

describe('tokenizer/gpt2-bpe', () => {
  it('has the GPT-2 vocabulary and <|endoftext|> as EOS and pad', () => {
    expect(gpt2).toMatchObject({ name: 'gpt2-bpe', vocabSize: 50257, eosId: 50256, padId: 50256 });
    expect(gpt2.chatTemplate).toBeUndefined();
    expect(gpt2.describe()).toEqual({ name: 'gpt2-bpe', config: {} });
  });

  it('encodes with the GPT-2 ids and decodes back', () => {
    expect(gpt2.encode('Hello world')).toEqual([15496, 995]);
    const text = '\n\nHuman: Où est la gare? ✓\n\nAssistant: Ici.';
    expect(gpt2.decode(gpt2.encode(text))).toBe(text);
    expect(gpt2.decode([50256])).toBe('<|endoftext|>');
  });

  it('treats special-token text in the data as plain text, never as EOS', () => {
    const ids = gpt2.encode('a <|endoftext|> b');
    expect(ids).not.toContain(50256);
    expect(gpt2.decode(ids)).toBe('a <|endoftext|> b');
  });

  it('rejects unknown config fields', () => {
    expect(() => registry.create('tokenizer', 'gpt2-bpe', { vocab: 1 }, {})).toThrow(/invalid config/);
    expect(gpt2Bpe.configSchema.parse({})).toEqual({});
  });

  it('saves a tokenizer_config.json naming itself, which loadTokenizer follows', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rk-gpt2-'));
    try {
      gpt2.save(dir);
      const saved = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
      expect(saved.tokenizer_class).toBe('PreTrainedTokenizerFast');
      expect(saved.rewardkit).toMatchObject({ name: 'gpt2-bpe', config: {} });
      const again = loadTokenizer(undefined, { modelDir: dir, fallback: { name: 'huggingface', config: { path: '/nonexistent' } } });
      expect(again.name).toBe('gpt2-bpe');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('saves tokenizer.json, vocab.json and merges.txt that tokenize exactly as gpt2-bpe, EOS appended by the post-processor', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rk-gpt2-'));
    try {
      gpt2.save(dir);
      const vocab = JSON.parse(readFileSync(path.join(dir, 'vocab.json'), 'utf8'));
      expect(Object.keys(vocab)).toHaveLength(50257);
      // GPT-2's published vocab.json / merges.txt: 'Hello' 15496, 'Ġworld' 995, first merge 'Ġ t'.
      expect([vocab.Hello, vocab['\u0120world'], vocab['<|endoftext|>']]).toEqual([15496, 995, 50256]);
      const merges = readFileSync(path.join(dir, 'merges.txt'), 'utf8').split('\n');
      expect(merges.slice(0, 3)).toEqual(['#version: 0.2', '\u0120 t', '\u0120 a']);
      expect(merges.filter(Boolean)).toHaveLength(50001);
      const hf = openHuggingface(dir);
      const texts = [
        '\n\nHuman: Où est la gare? ✓  tabs\there\n\nAssistant: Ici.',
        " I'm sure it's 1,234.5 — naïve café 😀 ",
        'x'.repeat(300) + '   \r\n  trailing  ',
      ];
      for (const text of texts) expect(hf.encode(text)).toEqual(gpt2.encode(text));
      const withSpecials = new HfTokenizer(JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')), {});
      expect(withSpecials.encode('Hello world').ids).toEqual([15496, 995, 50256]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
