/**
 * Sampled completions -> one Sample per (prompt, output). Accepted record forms, one per JSONL
 * line or Parquet row:
 *   {prompt_id?, prompt, output}        one completion (`completion` is read as `output`)
 *   {prompt_id?, prompt, outputs: [...]} several completions of one prompt
 *   {prompt_id?, messages: [...]}       a conversation whose last (assistant) turn is the output
 * `prompt` and each output may be a string or a list of {role, content} messages (rendered later,
 * exactly as training renders them). Errors name the file, line and field.
 */
import path from 'node:path';
import type { ChatMessage, TextOrChat } from '@rewardkit/core';
import { DataError } from '@rewardkit/core';
import { looksLikeParquet, readInputFile } from '@rewardkit/data-records';

export interface Sample {
  /** Position in the file's samples, from 0: the key of the resume cache. */
  readonly index: number;
  /** Groups samples of one prompt: `prompt_id` when given, else the prompt itself. */
  readonly promptKey: string;
  readonly promptId?: string;
  readonly prompt: TextOrChat;
  readonly output: TextOrChat;
  readonly line: number;
}

export async function readSamples(file: string): Promise<Sample[]> {
  const bytes = await readInputFile(file);
  const records = looksLikeParquet(bytes) ? await parquetRows(file, bytes) : jsonLines(file, bytes);
  const samples: Sample[] = [];
  for (const { record, line } of records) {
    for (const s of recordSamples(record, { file, line })) samples.push({ ...s, index: samples.length, line });
  }
  if (!samples.length) throw new DataError({ file }, 'no samples: expected records {prompt, output} or {prompt, outputs: [...]}');
  return samples;
}

interface Located {
  readonly record: unknown;
  readonly line: number;
}

function jsonLines(file: string, bytes: Uint8Array): Located[] {
  const out: Located[] = [];
  new TextDecoder('utf-8').decode(bytes).split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    try {
      out.push({ record: JSON.parse(text), line: i + 1 });
    } catch (err) {
      throw new DataError({ file, line: i + 1 }, `malformed JSON: ${(err as Error).message}`);
    }
  });
  return out;
}

async function parquetRows(file: string, bytes: Uint8Array): Promise<Located[]> {
  const { parquetReadObjects } = await import('hyparquet');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const rows = await parquetReadObjects({ file: buffer });
    return rows.map((record, i) => ({ record, line: i + 1 }));
  } catch (err) {
    throw new DataError({ file }, `cannot decode the Parquet data: ${(err as Error).message}`);
  }
}

type Where = { file: string; line: number };

function recordSamples(record: unknown, at: Where): Omit<Sample, 'index' | 'line'>[] {
  const fail = (field: string | undefined, problem: string): never => {
    throw new DataError({ file: at.file, line: at.line, field }, problem);
  };
  if (typeof record !== 'object' || record === null || Array.isArray(record)) fail(undefined, 'expected an object');
  const r = record as Record<string, unknown>;
  const promptId = r.prompt_id === undefined || r.prompt_id === null ? undefined : String(r.prompt_id);
  let prompt: TextOrChat;
  let outputs: TextOrChat[];
  if (r.messages !== undefined && r.prompt === undefined) {
    const messages = text(r.messages, 'messages', fail);
    if (typeof messages === 'string' || messages.length < 2 || messages.at(-1)!.role !== 'assistant') {
      return fail('messages', 'expected a conversation ending with an assistant turn (the output)');
    }
    prompt = messages.slice(0, -1);
    outputs = [[messages.at(-1)!]];
  } else {
    prompt = text(r.prompt, 'prompt', fail);
    const many = r.outputs;
    if (many !== undefined) {
      if (!Array.isArray(many) || many.length === 0) return fail('outputs', 'expected a non-empty list of outputs');
      outputs = many.map((o, k) => text(o, `outputs[${k}]`, fail));
    } else {
      const field = r.output !== undefined ? 'output' : 'completion';
      outputs = [text(r[field], 'output', fail)];
    }
  }
  const promptKey = promptId ?? JSON.stringify(prompt);
  return outputs.map((output) => ({ promptKey, ...(promptId !== undefined ? { promptId } : {}), prompt, output }));
}

function text(v: unknown, field: string, fail: (field: string, problem: string) => never): TextOrChat {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every(isMessage)) return v as ChatMessage[];
  const got = v === undefined ? 'nothing' : Array.isArray(v) ? 'a list that is not {role, content} messages' : typeof v;
  return fail(field, `expected a string or a list of {role, content} messages, got ${got}`);
}

function isMessage(m: unknown): boolean {
  return typeof m === 'object' && m !== null && typeof (m as ChatMessage).role === 'string' && typeof (m as ChatMessage).content === 'string';
}

/** For log lines. */
export function describeSamples(file: string, samples: readonly Sample[]): string {
  return `${path.basename(file)}: ${samples.length} samples of ${new Set(samples.map((s) => s.promptKey)).size} prompts`;
}
