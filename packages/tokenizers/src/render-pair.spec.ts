import { ConfigError, DataError, type PreferencePair } from '@rewardkit/core';
import { renderPair, type RenderingTokenizer } from './render-pair';
import { CHATML_TEMPLATE } from './testing/tiny-tokenizer';

const plain: RenderingTokenizer = { name: 'plain' };
const chatml: RenderingTokenizer = { name: 'chatml', chatTemplate: CHATML_TEMPLATE };

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

const chat: PreferencePair = {
  id: 'c1',
  prompt: [user('hi'), assistant('hello'), user('help?')],
  chosen: [assistant('Sure.')],
  rejected: [assistant('No.')],
};

describe('renderPair', () => {
  it('passes plain strings through unchanged, template or not', () => {
    const hh: PreferencePair = { id: 'h', prompt: '\n\nHuman: hi\n\nAssistant:', chosen: ' hello', rejected: ' go away' };
    const expected = { prompt: hh.prompt, chosen: ' hello', rejected: ' go away' };
    expect(renderPair(hh, plain)).toEqual(expected);
    expect(renderPair(hh, chatml)).toEqual(expected);
  });

  it('renders conversations in the HH format without a chat template', () => {
    expect(renderPair(chat, plain)).toEqual({
      prompt: '\n\nHuman: hi\n\nAssistant: hello\n\nHuman: help?\n\nAssistant:',
      chosen: ' Sure.',
      rejected: ' No.',
    });
  });

  it('renders an HH transcript split into messages exactly like the string form', () => {
    const transcript = '\n\nHuman: What is 2+2?\n\nAssistant: 4.\n\nHuman: Sure?\n\nAssistant: Yes.';
    const asChat: PreferencePair = {
      id: 'x',
      prompt: [user('What is 2+2?'), assistant('4.'), user('Sure?')],
      chosen: [assistant('Yes.')],
      rejected: [assistant('No.')],
    };
    const r = renderPair(asChat, plain);
    expect(r.prompt + r.chosen).toBe(transcript);
  });

  it("renders with the tokenizer's chat template: generation prompt, then the response turn", () => {
    expect(renderPair(chat, chatml)).toEqual({
      prompt: '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n<|im_start|>user\nhelp?<|im_end|>\n<|im_start|>assistant\n',
      chosen: 'Sure.<|im_end|>\n',
      rejected: 'No.<|im_end|>\n',
    });
  });

  it("passes the tokenizer's special tokens to the template and treats string parts as turns", () => {
    const tok: RenderingTokenizer = {
      name: 'with-bos',
      chatTemplate: "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}",
      chatTemplateTokens: { bos_token: '<s>', eos_token: '</s>' },
    };
    const mixed: PreferencePair = { id: 'm', prompt: 'Q', chosen: [assistant('A')], rejected: 'B' };
    expect(renderPair(mixed, tok)).toEqual({ prompt: '<s>[user]Q</s>[assistant]', chosen: 'A</s>', rejected: 'B</s>' });
  });

  it('fails with the pair location when the template does not extend the prompt', () => {
    const odd: RenderingTokenizer = { name: 'odd', chatTemplate: '{% if add_generation_prompt %}GEN{% endif %}{{ messages | length }}' };
    const pair = { ...chat, origin: { file: 'd.jsonl', line: 4 } };
    expect(() => renderPair(pair, odd)).toThrow(DataError);
    expect(() => renderPair(pair, odd)).toThrow(/d\.jsonl:4 field "chosen": the chat template of tokenizer "odd"/);
  });

  it('reports a template that does not parse, or raises, naming the tokenizer', () => {
    expect(() => renderPair(chat, { name: 'bad', chatTemplate: '{% for %}' })).toThrow(ConfigError);
    const raising: RenderingTokenizer = { name: 'strict', chatTemplate: "{{ raise_exception('roles must alternate') }}" };
    expect(() => renderPair(chat, raising)).toThrow(/tokenizer "strict" failed: roles must alternate/);
  });
});
