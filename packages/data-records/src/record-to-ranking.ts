/**
 * One ranking record -> one PreferenceRanking: `{prompt, responses: [...K], ranking: [...K]}`,
 * `ranking[i]` the rank of `responses[i]` (smaller is better, equal ranks tied). The responses take
 * the same forms as a pair's: strings with a prompt, raw HH transcripts (split at the last
 * assistant marker; every prompt must agree) or conversations (a prompt given, or the messages
 * all K share at the start). Mixing shapes (a ranking with `chosen`, a tie flag or a margin) is an
 * error naming the field.
 */
import path from 'node:path';
import type { ChatMessage, PreferenceRanking, TextOrChat } from '@rewardkit/core';
import type { ResolvedColumns } from './columns';
import {
  dropPrefix,
  HH_ASSISTANT_MARKER,
  isBlank,
  kindOf,
  readCategory,
  readId,
  readText,
  sameMessage,
  sameText,
  splitTranscript,
  toMessages,
  type Fail,
  type RecordLocation,
} from './record-to-pair';

export function recordToRanking(record: Record<string, unknown>, location: RecordLocation, cols: ResolvedColumns, fail: Fail): PreferenceRanking {
  for (const field of [cols.chosen, cols.rejected, cols.margin, cols.tie, cols.label, cols.strength]) {
    const v = record[field];
    if (v !== undefined && v !== null) {
      fail(field, `a ranking record ("${cols.responses}" + "${cols.ranking}") has no "${field}": give a pair {${cols.chosen}, ${cols.rejected}} or a ranking, not both`);
    }
  }
  const raw = record[cols.responses];
  if (raw === undefined || raw === null) fail(cols.responses, `missing: "${cols.ranking}" ranks the responses of a "${cols.responses}" list`);
  if (!Array.isArray(raw)) return fail(cols.responses, `expected a list of responses, got ${kindOf(raw)}`);
  if (raw.length < 2) fail(cols.responses, `a ranking needs at least 2 responses, got ${raw.length}`);
  const texts = raw.map((x: unknown, i) => {
    const field = `${cols.responses}[${i}]`;
    return readText({ [field]: x }, field, fail, true) as TextOrChat;
  });
  const ranking = readRanking(record[cols.ranking], raw.length, cols, fail);
  const prompt = readText(record, cols.prompt, fail, false);

  const parts = texts.every((t) => typeof t === 'string') && (prompt === undefined || typeof prompt === 'string')
    ? splitTexts(prompt, texts as string[], cols, fail)
    : splitConversations(prompt, texts.map(toMessages), cols, fail);
  parts.responses.forEach((r, i) => {
    if (isBlank(r)) fail(`${cols.responses}[${i}]`, 'the response is empty or whitespace only');
    const j = parts.responses.findIndex((o) => sameText(o, r));
    if (j < i) fail(`${cols.responses}[${i}]`, `the response is identical to ${cols.responses}[${j}]; a ranking needs different responses`);
  });

  const category = readCategory(record, cols.category, fail);
  const id = readId(record[cols.id], cols.id, fail) ?? `${path.basename(location.file)}:${location.line}`;
  return {
    id,
    prompt: parts.prompt,
    responses: parts.responses,
    ranking,
    ...(category !== undefined ? { category } : {}),
    origin: { file: location.file, line: location.line },
  };
}

function readRanking(v: unknown, K: number, cols: ResolvedColumns, fail: Fail): number[] {
  if (v === undefined || v === null) return fail(cols.ranking, `missing: a "${cols.responses}" list needs a "${cols.ranking}" (the rank of each response, 0 or 1 = best)`);
  if (!Array.isArray(v)) return fail(cols.ranking, `expected a list of ranks, got ${kindOf(v)}`);
  if (v.length !== K) fail(cols.ranking, `has ${v.length} ranks for ${K} responses (one rank per response)`);
  return v.map((x, i) => {
    const n = typeof x === 'bigint' ? Number(x) : x;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail(`${cols.ranking}[${i}]`, `expected a rank (an integer >= 0, smaller is better), got ${kindOf(x)}`);
    return n as number;
  });
}

interface RankingParts {
  readonly prompt: TextOrChat;
  readonly responses: TextOrChat[];
}

function splitTexts(prompt: string | undefined, texts: string[], cols: ResolvedColumns, fail: Fail): RankingParts {
  if (prompt !== undefined) return { prompt, responses: texts };
  const split = texts.map((t, i) => {
    const s = splitTranscript(t);
    if (!s) fail(`${cols.responses}[${i}]`, `not an HH transcript: no ${JSON.stringify(HH_ASSISTANT_MARKER)} to split at (and there is no "${cols.prompt}")`);
    return s!;
  });
  split.forEach((s, i) => {
    if (s.prompt !== split[0].prompt) fail(`${cols.responses}[${i}]`, `the conversation before the last assistant turn differs from ${cols.responses}[0]'s, so the transcripts do not share a prompt`);
  });
  return { prompt: split[0].prompt, responses: split.map((s) => s.response) };
}

function splitConversations(prompt: TextOrChat | undefined, convs: (readonly ChatMessage[])[], cols: ResolvedColumns, fail: Fail): RankingParts {
  if (prompt !== undefined) {
    const p = typeof prompt === 'string' ? (prompt === '' ? [] : [{ role: 'user', content: prompt }]) : prompt;
    return { prompt: p, responses: convs.map((c) => dropPrefix(c, p)) };
  }
  let shared = 0;
  const first = convs[0];
  while (shared < first.length && convs.every((c) => shared < c.length && sameMessage(c[shared], first[shared]))) shared++;
  if (convs.some((c) => c.length === shared)) {
    fail(cols.responses, 'a conversation ends where the shared prompt ends, leaving it no response');
  }
  return { prompt: first.slice(0, shared), responses: convs.map((c) => c.slice(shared)) };
}
