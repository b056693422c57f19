import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, type PreferencePair } from '@rewardkit/core';
import { hhRlhf } from '@rewardkit/sample-data';
import { encodePair, encodePairs } from './encode-pair';
import { createGpt2Bpe } from './gpt2-bpe.plugin';
import { openHuggingface } from './huggingface.plugin';
import { writeTinyTokenizer } from './testing/tiny-tokenizer';

/** One token per character, EOS = 0: lengths in the tests are string lengths. */
const chars = {
  name: 'chars',
  eosId: 0,
  encode: (text: string) => [...text].map((c) => c.charCodeAt(0)),
};
const ids = (s: string) => chars.encode(s);
const pair = (prompt: string, chosen: string, rejected: string, extra: Partial<PreferencePair> = {}): PreferencePair => ({
  id: 'p',
  prompt,
  chosen,
  rejected,
  ...extra,
});
const seq = (a: Int32Array) => Array.from(a);

describe('encodePair', () => {
  it('builds prompt ++ response ++ EOS with the shared prompt length, margin and category', () => {
    const r = encodePair(pair('ab', 'cd', 'e', { margin: 0.5, category: 'k' }), chars, { maxLength: 100 });
    expect(seq(r.encoded.chosen)).toEqual([...ids('abcd'), 0]);
    expect(seq(r.encoded.rejected)).toEqual([...ids('abe'), 0]);
    expect(r.encoded).toMatchObject({ id: 'p', promptLength: 2, margin: 0.5, category: 'k' });
    expect(r).toMatchObject({ truncated: false, identical: false });
    expect(encodePair(pair('a', 'b', 'c'), chars, { maxLength: 9 }).encoded.margin).toBe(0);
  });

  it('keeps the END of a long prompt and the whole of short responses', () => {
    const prompt = 'abcdefghij'.repeat(10);
    const r = encodePair(pair(prompt, 'XY', 'Z'), chars, { maxLength: 20 });
    expect(r.truncated).toBe(true);
    expect(r.encoded.promptLength).toBe(17); // 19 - the longer response (2)
    expect(seq(r.encoded.chosen)).toEqual([...ids(prompt.slice(-17)), ...ids('XY'), 0]);
    expect(seq(r.encoded.rejected)).toEqual([...ids(prompt.slice(-17)), ...ids('Z'), 0]);
  });

  it('cuts a long response on the right and keeps a short prompt whole', () => {
    const long = 'x'.repeat(50) + 'END';
    const r = encodePair(pair('abc', long, 'no'), chars, { maxLength: 20 });
    expect(seq(r.encoded.chosen)).toEqual([...ids('abc' + long.slice(0, 16)), 0]);
    expect(seq(r.encoded.rejected)).toEqual([...ids('abcno'), 0]);
    expect(r.encoded.chosen.length).toBe(20);
  });

  it('reserves min(64, half the room) response tokens when both are long', () => {
    const p = 'P'.repeat(500);
    const r = encodePair(pair(p, 'c'.repeat(500), 'r'.repeat(500)), chars, { maxLength: 200 });
    expect(r.encoded.promptLength).toBe(199 - 64);
    expect(r.encoded.chosen.length).toBe(200);
    expect(seq(r.encoded.chosen.subarray(135, 199))).toEqual(ids('c'.repeat(64)));
    const small = encodePair(pair(p, 'c'.repeat(500), 'r'), chars, { maxLength: 21 });
    expect(small.encoded.promptLength).toBe(10); // 20 room, 10 reserved for the response
    const custom = encodePair(pair(p, 'c'.repeat(500), 'r'), chars, { maxLength: 21, minResponseTokens: 3 });
    expect(custom.encoded.promptLength).toBe(17);
  });

  it('still fits a response token and the EOS into a tiny maxLength', () => {
    expect(seq(encodePair(pair('abc', 'xyz', 'q'), chars, { maxLength: 2 }).encoded.chosen)).toEqual([...ids('x'), 0]);
    const three = encodePair(pair('abc', 'xyz', 'q'), chars, { maxLength: 3 });
    expect(seq(three.encoded.chosen)).toEqual([...ids('cx'), 0]);
    expect(seq(three.encoded.rejected)).toEqual([...ids('cq'), 0]);
    expect(() => encodePair(pair('a', 'b', 'c'), chars, { maxLength: 1 })).toThrow(ConfigError);
    expect(() => encodePair(pair('a', 'b', 'c'), chars, { maxLength: 8.5 })).toThrow(/integer >= 2/);
  });

  it('flags pairs that truncation made identical', () => {
    const r = encodePair(pair('a'.repeat(50), 'same start X', 'same start Y'), chars, { maxLength: 10 });
    expect(seq(r.encoded.chosen)).toEqual([...ids('aaaaasame'), 0]);
    expect(r).toMatchObject({ truncated: true, identical: true });
  });
});

describe('encodePairs', () => {
  it('counts truncated and made-identical pairs and the kept tokens', () => {
    const { encoded, stats, truncatedPairs } = encodePairs(
      [pair('ab', 'cd', 'e'), pair('a'.repeat(50), 'same start X', 'same start Y'), pair('q'.repeat(30), 'yes', 'no')],
      chars,
      { maxLength: 10 },
    );
    expect(encoded).toHaveLength(3);
    expect(truncatedPairs).toEqual([false, true, true]);
    expect(stats).toMatchObject({ pairs: 3, truncated: 2, identical: 1, madeIdentical: 1, maxLength: 10 });
    // prompts kept: 2 + 5 + 6; responses kept: (2+1) + (4+4) + (3+2)
    expect(stats.promptTokens).toBe(13);
    expect(stats.responseTokens).toBe(16);
    expect(stats.meanLength).toBeCloseTo((5 + 4 + 10 + 10 + 10 + 9) / 6);
    expect(encodePairs([], chars, { maxLength: 10 }).stats).toMatchObject({ pairs: 0, meanLength: 0 });
  });

  it('encodes through a chat template with a Hugging Face tokenizer, appending its EOS', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rk-enc-'));
    try {
      const tok = openHuggingface(writeTinyTokenizer(dir));
      const chat: PreferencePair = {
        id: 'c',
        prompt: [{ role: 'user', content: 'hello' }],
        chosen: [{ role: 'assistant', content: 'hello world' }],
        rejected: [{ role: 'assistant', content: 'world' }],
      };
      const { encoded } = encodePair(chat, tok, { maxLength: 64 });
      const prompt = tok.encode('<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n');
      expect(encoded.promptLength).toBe(prompt.length);
      expect(seq(encoded.chosen)).toEqual([...prompt, ...tok.encode('hello world<|im_end|>\n'), tok.eosId]);
      expect(tok.decode(seq(encoded.rejected))).toBe('<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\nworld<|im_end|>\n<|endoftext|>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('encodePairs on the embedded HH sample with GPT-2', () => {
  const gpt2 = createGpt2Bpe();

  it('appends EOS 50256 to GPT-2 sequences', () => {
    const { encoded } = encodePair(pair('\n\nHuman: Hi\n\nAssistant:', ' Hello world', ' No'), gpt2, { maxLength: 64 });
    const prompt = gpt2.encode('\n\nHuman: Hi\n\nAssistant:');
    expect(seq(encoded.chosen)).toEqual([...prompt, ...gpt2.encode(' Hello world'), 50256]);
  });

  it('tokenizes all 2,303 pairs quickly, within maxLength and ending in EOS', () => {
    const pairs: PreferencePair[] = [hhRlhf.train, hhRlhf.test].flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l, i) => ({ id: `${i}`, ...(JSON.parse(l) as { prompt: string; chosen: string; rejected: string }) })),
    );
    const { encoded, stats } = encodePairs(pairs, gpt2, { maxLength: 256 });
    expect(stats.pairs).toBe(2303);
    expect(stats.maxLength).toBeLessThanOrEqual(256);
    expect(stats.truncated).toBeGreaterThan(0);
    expect(stats.elapsedMs).toBeLessThan(10_000);
    for (const e of encoded) {
      expect(e.chosen[e.chosen.length - 1]).toBe(50256);
      expect(e.rejected[e.rejected.length - 1]).toBe(50256);
      expect(seq(e.chosen.subarray(0, e.promptLength))).toEqual(seq(e.rejected.subarray(0, e.promptLength)));
    }
  });
});
