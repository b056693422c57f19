/**
 * THE one place a PreferencePair becomes text. Training, evaluation, scoring and export all
 * render through here, so the model never sees a pair one way in training and another later.
 *
 * - Plain strings pass through unchanged: HH-style data already has a prompt ending in
 *   "\n\nAssistant:" and responses starting with a space.
 * - Conversations (message lists) are rendered with the tokenizer's own chat template when it has
 *   one: the prompt with the generation prompt, and each full conversation; the response is
 *   what the full conversation adds after the prompt.
 * - Without a template, conversations are rendered in the HH format ("\n\nHuman: ...\n\nAssistant: ...")
 *   so chat data and HH transcripts look alike to a model trained on either.
 */
import { Template } from '@huggingface/jinja';
import type { ChatMessage, PreferencePair, TextOrChat, Tokenizer } from '@rewardkit/core';
import { ConfigError, DataError } from '@rewardkit/core';

/** Texts ready to tokenize: each sequence is `prompt ++ response`. */
export interface RenderedPair {
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
}

/** What a chat template reads besides `messages` (`bos_token`, `eos_token`, ...). */
export interface ChatTemplateTokens {
  readonly chatTemplateTokens?: Readonly<Record<string, string>>;
}

/** The part of a tokenizer rendering needs. */
export type RenderingTokenizer = Pick<Tokenizer, 'name' | 'chatTemplate'> & ChatTemplateTokens;

export function renderPair(pair: PreferencePair, tokenizer: RenderingTokenizer): RenderedPair {
  const { prompt, chosen, rejected } = pair;
  if (typeof prompt === 'string' && typeof chosen === 'string' && typeof rejected === 'string') {
    return { prompt, chosen, rejected };
  }
  const render = conversationRenderer(tokenizer);
  const p = asMessages(prompt, 'user');
  const c = asMessages(chosen, 'assistant');
  const r = asMessages(rejected, 'assistant');
  // Responses normally open the assistant's turn, which the generation prompt starts.
  const generation = c[0]?.role === 'assistant';
  const promptText = render(p, generation, pair);
  return {
    prompt: promptText,
    chosen: responseText(render([...p, ...c], false, pair), promptText, pair, 'chosen', tokenizer),
    rejected: responseText(render([...p, ...r], false, pair), promptText, pair, 'rejected', tokenizer),
  };
}

type Renderer = (messages: readonly ChatMessage[], addGenerationPrompt: boolean, pair: PreferencePair) => string;

function conversationRenderer(tokenizer: RenderingTokenizer): Renderer {
  if (tokenizer.chatTemplate === undefined) return renderHh;
  const template = compiled(tokenizer.chatTemplate, tokenizer.name);
  const tokens = tokenizer.chatTemplateTokens ?? {};
  return (messages, addGenerationPrompt, pair) => {
    try {
      return template.render({ ...tokens, messages, add_generation_prompt: addGenerationPrompt });
    } catch (err) {
      throw new DataError(where(pair), `the chat template of tokenizer "${tokenizer.name}" failed: ${(err as Error).message}`);
    }
  };
}

/** The HH-RLHF transcript format: "\n\nHuman: ..." and "\n\nAssistant: ..." turns. */
const renderHh: Renderer = (messages, addGenerationPrompt) => {
  let s = '';
  for (const m of messages) s += `\n\n${speaker(m.role)}: ${m.content}`;
  return addGenerationPrompt ? s + '\n\nAssistant:' : s;
};

function speaker(role: string): string {
  switch (role) {
    case 'user':
    case 'human':
      return 'Human';
    case 'assistant':
    case 'gpt':
      return 'Assistant';
    default:
      return role.charAt(0).toUpperCase() + role.slice(1);
  }
}

function responseText(full: string, prompt: string, pair: PreferencePair, side: string, tokenizer: RenderingTokenizer): string {
  if (!full.startsWith(prompt)) {
    throw new DataError(
      { ...where(pair), field: side },
      `the chat template of tokenizer "${tokenizer.name}" renders the whole conversation so that it does not ` +
        'start with the rendered prompt, so the response cannot be separated from it',
    );
  }
  return full.slice(prompt.length);
}

/** A plain string beside a conversation is one turn of the given role. */
function asMessages(t: TextOrChat, role: string): readonly ChatMessage[] {
  if (typeof t !== 'string') return t;
  return t === '' ? [] : [{ role, content: t }];
}

function where(pair: PreferencePair): { file: string; line?: number } {
  return pair.origin ?? { file: `pair ${pair.id}` };
}

/** Parsing a template is far slower than rendering it; thousands of pairs share one. */
const templates = new Map<string, Template>();

function compiled(source: string, tokenizerName: string): Template {
  let t = templates.get(source);
  if (!t) {
    try {
      t = new Template(source);
    } catch (err) {
      throw new ConfigError(`the chat template of tokenizer "${tokenizerName}" does not parse: ${(err as Error).message}`);
    }
    templates.set(source, t);
  }
  return t;
}
