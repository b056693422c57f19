/**
 * One parsed record (a JSON object, a Parquet row) -> one PreferencePair. Every loader goes
 * through here, so JSONL, JSON arrays and Parquet accept the same record forms and reject the
 * same mistakes with the same messages:
 *
 * - `{prompt, chosen, rejected}` strings, plus optional `margin`, `category`/`source`, `id`;
 * - a tie: `tie: true` or `label: 0.5` (chosen/rejected are then just A and B; no margin or
 *   strength), and an annotated `strength` (a number >= 0) on any other pair;
 * - raw HH-RLHF `{chosen, rejected}` full transcripts without a prompt: each is split at its
 *   LAST "\n\nAssistant:" (the prompt keeps the marker) and both prompts must agree;
 * - conversations: `chosen`/`rejected` as lists of `{role, content}` messages, either the
 *   responses alone (with a `prompt` string or message list) or whole conversations; with no
 *   prompt, the messages the two share at the start are the prompt and the tails the responses.
 */
import path from 'node:path';
import type { ChatMessage, PreferencePair, TextOrChat } from '@rewardkit/core';
import { DataError } from '@rewardkit/core';
import { type ColumnMapping, type ResolvedColumns, resolveColumns } from './columns';

/** The marker HH-RLHF transcripts are split at; the prompt ends with it. */
export const HH_ASSISTANT_MARKER = '\n\nAssistant:';

/** Where a record sits: its file and 1-based line (or row) number. */
export interface RecordLocation {
  readonly file: string;
  readonly line: number;
}

export function recordToPair(
  record: unknown,
  location: RecordLocation,
  columns: ColumnMapping | ResolvedColumns = {},
): PreferencePair {
  const cols = isResolved(columns) ? columns : resolveColumns(columns);
  const fail = (field: string | undefined, problem: string): never => {
    throw new DataError({ file: location.file, line: location.line, field }, problem);
  };
  if (!isPlainObject(record)) {
    return fail(undefined, `expected an object with "${cols.chosen}" and "${cols.rejected}", got ${kindOf(record)}`);
  }

  const chosen = readText(record, cols.chosen, fail, true) as TextOrChat;
  const rejected = readText(record, cols.rejected, fail, true) as TextOrChat;
  const prompt = readText(record, cols.prompt, fail, false);

  const parts =
    typeof chosen === 'string' && typeof rejected === 'string' && (prompt === undefined || typeof prompt === 'string')
      ? splitTexts(prompt, chosen, rejected, cols, fail)
      : splitConversations(prompt, toMessages(chosen), toMessages(rejected), cols, fail);

  if (isBlank(parts.chosen)) fail(cols.chosen, 'the response is empty or whitespace only');
  if (isBlank(parts.rejected)) fail(cols.rejected, 'the response is empty or whitespace only');
  if (sameText(parts.chosen, parts.rejected)) {
    fail(cols.rejected, `the response is identical to "${cols.chosen}"; a pair needs two different responses`);
  }

  const margin = readMargin(record[cols.margin], cols.margin, fail);
  const tie = readTie(record, cols, fail);
  const strength = readMargin(record[cols.strength], cols.strength, fail);
  if (strength !== undefined && strength < 0) fail(cols.strength, `expected a number >= 0 (how strongly "${cols.chosen}" is preferred), got ${strength}`);
  if (tie && margin) fail(cols.margin, `a tie has no margin (neither response is better), got ${margin}`);
  if (tie && strength) fail(cols.strength, `a tie has no preference strength (neither response is better), got ${strength}`);
  const category = readCategory(record, cols.category, fail);
  const id = readId(record[cols.id], cols.id, fail) ?? `${path.basename(location.file)}:${location.line}`;
  return {
    id,
    prompt: parts.prompt,
    chosen: parts.chosen,
    rejected: parts.rejected,
    ...(margin !== undefined ? { margin } : {}),
    ...(tie ? { tie: true } : {}),
    ...(strength !== undefined ? { strength } : {}),
    ...(category !== undefined ? { category } : {}),
    origin: { file: location.file, line: location.line },
  };
}

export type Fail = (field: string | undefined, problem: string) => never;

/**
 * `tie: true` or `label: 0.5`; the two must agree when both are given. Only a numeric label is a
 * preference probability: a string label (the labeler's "a"/"b", naming which of response_a/b
 * was chosen) says nothing about ties and is left alone.
 */
function readTie(record: Record<string, unknown>, cols: ResolvedColumns, fail: Fail): boolean {
  const t = record[cols.tie];
  const l = record[cols.label];
  if (t !== undefined && t !== null && typeof t !== 'boolean') fail(cols.tie, `expected true or false, got ${kindOf(t)}`);
  let byLabel: boolean | undefined;
  if (typeof l === 'number') {
    if (l !== 0.5 && l !== 1) fail(cols.label, `expected 0.5 (a tie) or 1 ("${cols.chosen}" is better), got ${kindOf(l)}`);
    byLabel = l === 0.5;
  }
  if (typeof t === 'boolean' && byLabel !== undefined && t !== byLabel) {
    fail(cols.label, `${kindOf(l)} contradicts "${cols.tie}": ${String(t)}`);
  }
  return t === true || byLabel === true;
}

interface Parts {
  readonly prompt: TextOrChat;
  readonly chosen: TextOrChat;
  readonly rejected: TextOrChat;
}

/** Plain texts: a given prompt is used as is; no prompt means full HH transcripts. */
function splitTexts(prompt: string | undefined, chosen: string, rejected: string, cols: ResolvedColumns, fail: Fail): Parts {
  if (prompt !== undefined) return { prompt, chosen, rejected };
  const c = splitTranscript(chosen);
  const r = splitTranscript(rejected);
  const marker = JSON.stringify(HH_ASSISTANT_MARKER);
  if (!c) return fail(cols.prompt, `missing, and "${cols.chosen}" is not an HH transcript (no ${marker} to split at)`);
  if (!r) return fail(cols.rejected, `not an HH transcript: no ${marker} to split at (and there is no "${cols.prompt}")`);
  if (c.prompt !== r.prompt) {
    return fail(
      cols.rejected,
      `the conversation before the last ${marker} differs from "${cols.chosen}"'s, so the two transcripts do not share a prompt`,
    );
  }
  return { prompt: c.prompt, chosen: c.response, rejected: r.response };
}

/** Splits a full HH-RLHF transcript at its last assistant turn. */
export function splitTranscript(text: string): { prompt: string; response: string } | undefined {
  const at = text.lastIndexOf(HH_ASSISTANT_MARKER);
  if (at < 0) return undefined;
  const end = at + HH_ASSISTANT_MARKER.length;
  return { prompt: text.slice(0, end), response: text.slice(end) };
}

export function splitConversations(
  prompt: TextOrChat | undefined,
  chosen: readonly ChatMessage[],
  rejected: readonly ChatMessage[],
  cols: ResolvedColumns,
  fail: Fail,
): Parts {
  if (prompt !== undefined) {
    // A prompt given separately; the conversations may repeat it (whole dialogues) or not.
    const p = typeof prompt === 'string' ? (prompt === '' ? [] : [{ role: 'user', content: prompt }]) : prompt;
    return { prompt: p, chosen: dropPrefix(chosen, p), rejected: dropPrefix(rejected, p) };
  }
  let shared = 0;
  while (shared < chosen.length && shared < rejected.length && sameMessage(chosen[shared], rejected[shared])) shared++;
  if (shared === chosen.length && shared === rejected.length) {
    fail(cols.rejected, `the conversation is identical to "${cols.chosen}"; a pair needs two different responses`);
  }
  return { prompt: chosen.slice(0, shared), chosen: chosen.slice(shared), rejected: rejected.slice(shared) };
}

export function dropPrefix(conv: readonly ChatMessage[], prefix: readonly ChatMessage[]): readonly ChatMessage[] {
  if (prefix.length === 0 || conv.length < prefix.length) return conv;
  for (let i = 0; i < prefix.length; i++) if (!sameMessage(conv[i], prefix[i])) return conv;
  return conv.slice(prefix.length);
}

/** A plain response next to a conversation is the assistant's turn. */
export function toMessages(t: TextOrChat): readonly ChatMessage[] {
  return typeof t === 'string' ? [{ role: 'assistant', content: t }] : t;
}

/** Reads a text field: a string or a list of `{role, content}` messages. */
export function readText(record: Record<string, unknown>, field: string, fail: Fail, required: boolean): TextOrChat | undefined {
  const v = record[field];
  if (v === undefined || v === null) {
    if (required) fail(field, `missing (the record has ${describeKeys(record)})`);
    return undefined;
  }
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((m, i) => readMessage(m, `${field}[${i}]`, fail));
  return fail(field, `expected a string or a list of {role, content} messages, got ${kindOf(v)}`);
}

function readMessage(m: unknown, field: string, fail: Fail): ChatMessage {
  if (!isPlainObject(m)) return fail(field, `expected a {role, content} message, got ${kindOf(m)}`);
  if (typeof m.role !== 'string' || m.role === '') fail(`${field}.role`, `expected a non-empty string, got ${kindOf(m.role)}`);
  if (typeof m.content !== 'string') fail(`${field}.content`, `expected a string, got ${kindOf(m.content)}`);
  return { role: m.role as string, content: m.content as string };
}

export function readMargin(v: unknown, field: string, fail: Fail): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) return fail(field, `expected a finite number, got ${kindOf(v)}`);
  return n;
}

export function readCategory(record: Record<string, unknown>, fields: readonly string[], fail: Fail): string | undefined {
  for (const field of fields) {
    const v = record[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return fail(field, `expected a string (the pair's category), got ${kindOf(v)}`);
    return v;
  }
  return undefined;
}

export function readId(v: unknown, field: string, fail: Fail): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  return fail(field, `expected a non-empty string or a number, got ${kindOf(v)}`);
}

export function isBlank(t: TextOrChat): boolean {
  return typeof t === 'string' ? t.trim() === '' : t.every((m) => m.content.trim() === '');
}

export function sameText(a: TextOrChat, b: TextOrChat): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((m, i) => sameMessage(m, b[i]));
}

export function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return a.role === b.role && a.content === b.content;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isResolved(c: ColumnMapping | ResolvedColumns): c is ResolvedColumns {
  return Array.isArray((c as ResolvedColumns).category);
}

function describeKeys(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'no fields';
  const shown = keys.slice(0, 8).map((k) => `"${k}"`).join(', ');
  return `fields ${shown}${keys.length > 8 ? ', ...' : ''}`;
}

/** A short description of a value for error messages: `a number (3)`, `null`, `a list`. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v)})`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `a ${typeof v} (${String(v)})`;
    default:
      return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  }
}
