import type { SourceLocation } from './errors';

/** One turn of a conversation. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** Plain text, or a conversation to be rendered by the tokenizer's chat template. */
export type TextOrChat = string | readonly ChatMessage[];

/**
 * One human preference: for `prompt`, `chosen` was preferred over `rejected`.
 * Loaders produce these; the tokenizer's renderer turns them into token ids.
 */
export interface PreferencePair {
  /** Stable id: the record's own `id`, else `file:line`. */
  readonly id: string;
  /** The context both responses answer (may be empty). */
  readonly prompt: TextOrChat;
  readonly chosen: TextOrChat;
  readonly rejected: TextOrChat;
  /** Required reward gap: the loss wants r(chosen) - r(rejected) > margin. */
  readonly margin?: number;
  /** Free-form grouping for per-category evaluation (`source` or `category` in the data). */
  readonly category?: string;
  /** Where the record came from, for error messages. */
  readonly origin?: SourceLocation;
}
