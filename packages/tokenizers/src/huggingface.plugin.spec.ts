import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, PluginError, PluginRegistry } from '@rewardkit/core';
import { type HuggingfaceTokenizer } from './huggingface.plugin';
import { chooseTokenizer, loadTokenizer } from './load-tokenizer';
import { register } from './register';
import { CHATML_TEMPLATE, tinyTokenizerJson, writeTinyTokenizer } from './testing/tiny-tokenizer';

let root: string;
let tiny: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'rk-hf-'));
  tiny = writeTinyTokenizer(path.join(root, 'tiny'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const registry = new PluginRegistry();
register(registry);
const create = (config: unknown, modelDir?: string) =>
  registry.create('tokenizer', 'huggingface', config, { modelDir }) as HuggingfaceTokenizer;

describe('tokenizer/huggingface', () => {
  it('loads tokenizer.json with EOS, pad and chat template from tokenizer_config.json', () => {
    const tok = create({ path: tiny });
    // 256 bytes + 9 merges, then <|endoftext|>, <|im_start|>, <|im_end|>, <|pad|>.
    expect(tok).toMatchObject({ name: 'huggingface', vocabSize: 269, eosId: 265, padId: 268, chatTemplate: CHATML_TEMPLATE });
    expect(tok.chatTemplateTokens).toEqual({ eos_token: '<|endoftext|>', pad_token: '<|pad|>' });
    expect(tok.encode('hello world')).toEqual([259, 264]);
    expect(tok.decode([259, 264, 265])).toBe('hello world<|endoftext|>');
    expect(tok.describe()).toEqual({ name: 'huggingface', config: { path: tiny } });
  });

  it('adds no special tokens of its own when encoding', () => {
    const tok = create({ path: tiny });
    expect(tok.encode('<|im_start|>user\nhi<|im_end|>')).toEqual([266, 117, 115, 101, 114, 10, 104, 105, 267]);
    expect(tok.encode('')).toEqual([]);
  });

  it('takes the directory from the model dir, or a path to tokenizer.json itself', () => {
    expect(create({}, tiny).eosId).toBe(265);
    expect(create({ path: path.join(tiny, 'tokenizer.json') }).eosId).toBe(265);
    expect(() => create({})).toThrow(ConfigError);
  });

  it('honours eos/pad overrides and guesses the EOS when the config names none', () => {
    expect(create({ path: tiny, eosToken: '<|im_end|>' })).toMatchObject({ eosId: 267, padId: 268 });
    const bare = path.join(root, 'bare');
    mkdirSync(bare);
    writeFileSync(path.join(bare, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson()));
    const tok = create({ path: bare });
    expect(tok).toMatchObject({ eosId: 265, padId: 265 });
    expect(tok.chatTemplate).toBeUndefined();
    expect(() => create({ path: tiny, eosToken: '<nope>' })).toThrow(/"<nope>" is not in the vocabulary/);
  });

  it('prefers chat_template.jinja and reads named template lists', () => {
    const dir = writeTinyTokenizer(path.join(root, 'named'), {
      chat_template: [
        { name: 'tool_use', template: 'T' },
        { name: 'default', template: 'D' },
      ],
    });
    expect(create({ path: dir }).chatTemplate).toBe('D');
    writeFileSync(path.join(dir, 'chat_template.jinja'), 'J');
    expect(create({ path: dir }).chatTemplate).toBe('J');
  });

  it('fails clearly on a missing or broken tokenizer.json', () => {
    expect(() => create({ path: path.join(root, 'missing') })).toThrow(/tokenizer\.json: cannot read the tokenizer file/);
    const broken = path.join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'tokenizer.json'), '{"model": ');
    expect(() => create({ path: broken })).toThrow(/not valid JSON/);
  });

  it('saves tokenizer.json and tokenizer_config.json that load back to the same tokenizer', () => {
    const tok = create({ path: tiny, padToken: '<|endoftext|>' });
    const out = path.join(root, 'export');
    tok.save(out);
    expect(readFileSync(path.join(out, 'tokenizer.json'), 'utf8')).toBe(readFileSync(path.join(tiny, 'tokenizer.json'), 'utf8'));
    const back = loadTokenizer(registry, { modelDir: out });
    expect(back).toMatchObject({ name: 'huggingface', eosId: 265, padId: 265, chatTemplate: CHATML_TEMPLATE });
    expect(back.encode('hello world')).toEqual(tok.encode('hello world'));
  });
});

describe('loadTokenizer', () => {
  it("prefers the model dir's own tokenizer.json over the fallback", () => {
    expect(chooseTokenizer({ modelDir: tiny })).toEqual({ name: 'huggingface', config: { path: tiny } });
    expect(loadTokenizer(undefined, { modelDir: tiny }).name).toBe('huggingface');
  });

  it('falls back (to gpt2-bpe by default) without a model dir or its tokenizer files', () => {
    const empty = path.join(root, 'empty-model');
    mkdirSync(empty);
    expect(loadTokenizer(undefined).name).toBe('gpt2-bpe');
    expect(loadTokenizer(registry, { modelDir: empty }).name).toBe('gpt2-bpe');
    expect(loadTokenizer(registry, { modelDir: empty, fallback: { name: 'huggingface', config: { path: tiny } } }).name).toBe('huggingface');
  });

  it('names the known plugins when a saved config names an unknown one', () => {
    const odd = path.join(root, 'odd-model');
    mkdirSync(odd);
    writeFileSync(path.join(odd, 'tokenizer_config.json'), JSON.stringify({ rewardkit: { name: 'sentencepiece' } }));
    expect(() => loadTokenizer(registry, { modelDir: odd })).toThrow(PluginError);
    expect(() => loadTokenizer(registry, { modelDir: odd })).toThrow(/known: gpt2-bpe, huggingface/);
  });
});
