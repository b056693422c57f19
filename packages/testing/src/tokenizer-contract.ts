import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TokenizerContext, TokenizerPlugin } from '@rewardkit/core';
import { describePluginContract } from './plugin-contract';

/**
 * The shared suite every tokenizer runs: ids inside the vocabulary, EOS and pad defined, a
 * round trip through decode, and `describe()` + `save()` recreate an identical tokenizer.
 */
export function describeTokenizerContract(plugin: TokenizerPlugin, config: unknown = {}, context: TokenizerContext = {}): void {
  describePluginContract(plugin);
  describe(`tokenizer contract: ${plugin.name}`, () => {
    const tok = plugin.create(plugin.configSchema.parse(config), context);
    const text = 'Hello world, this is a test of the tokenizer.';

    it('encodes into ids inside the vocabulary, with EOS and pad inside it too', () => {
      const ids = tok.encode(text);
      expect(ids.length).toBeGreaterThan(0);
      ids.forEach((id) => {
        expect(Number.isInteger(id)).toBe(true);
        expect(id).toBeGreaterThanOrEqual(0);
        expect(id).toBeLessThan(tok.vocabSize);
      });
      expect(tok.eosId).toBeLessThan(tok.vocabSize);
      expect(tok.padId).toBeLessThan(tok.vocabSize);
    });

    it('decodes what it encodes', () => {
      expect(tok.decode(tok.encode(text)).replace(/\s+/g, ' ').trim().toLowerCase()).toBe(text.toLowerCase());
    });

    it('is recreated identically from describe() and save()', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-tok-'));
      try {
        tok.save(dir);
        const { name, config: cfg } = tok.describe();
        expect(name).toBe(plugin.name);
        const again = plugin.create(plugin.configSchema.parse(cfg), { modelDir: dir });
        expect(again.encode(text)).toEqual(tok.encode(text));
        expect(again.eosId).toBe(tok.eosId);
        expect(again.vocabSize).toBe(tok.vocabSize);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
