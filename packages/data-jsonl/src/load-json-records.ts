/**
 * Reads JSON Lines or a JSON array of records into pairs. The format is sniffed, not taken from
 * the extension: a file whose first non-blank character is `[` is one JSON array (records are
 * numbered from 1 in errors), anything else is JSON Lines (errors name the line; blank lines are
 * ignored). The bytes are checked as UTF-8 line by line so a bad byte is reported at its line.
 */
import type { LoadOptions, LoadResult } from '@rewardkit/core';
import { DataError } from '@rewardkit/core';
import { looksLikeParquet, PairCollector, readInputFile, type ResolvedColumns } from '@rewardkit/data-records';

export async function loadJsonRecords(file: string, options: LoadOptions, columns: ResolvedColumns): Promise<LoadResult> {
  const bytes = await readInputFile(file);
  if (looksLikeParquet(bytes)) {
    throw new DataError({ file }, 'this is a Parquet file, not JSON; use the "parquet" data plugin');
  }
  const collector = new PairCollector(file, options, columns);
  const lines = decodeLines(bytes);
  const first = lines.find((l) => typeof l.text === 'string' && l.text.trim() !== '');
  if (first?.text?.trimStart().startsWith('[')) {
    readJsonArray(file, lines, collector);
  } else {
    readJsonLines(file, lines, collector);
  }
  return collector.finish();
}

interface DecodedLine {
  readonly line: number;
  /** Undefined when the line is not valid UTF-8. */
  readonly text?: string;
}

/** Splits at "\n" (dropping a "\r" before it) and decodes each line strictly. */
function decodeLines(bytes: Uint8Array): DecodedLine[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const out: DecodedLine[] = [];
  let start = 0;
  let line = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    let text: string | undefined;
    try {
      text = decoder.decode(bytes.subarray(start, stop));
    } catch {
      text = undefined;
    }
    out.push({ line, text });
    start = end + 1;
    line++;
  }
  return out;
}

function notUtf8(file: string, line: number): DataError {
  return new DataError({ file, line }, 'not valid UTF-8 text (data files must be UTF-8 encoded)');
}

function readJsonLines(file: string, lines: readonly DecodedLine[], collector: PairCollector): void {
  for (const { line, text } of lines) {
    if (text === undefined) {
      collector.reject(notUtf8(file, line));
      continue;
    }
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      collector.reject(new DataError({ file, line }, `malformed JSON: ${shorten((err as Error).message)}`));
      continue;
    }
    collector.add(record, line);
  }
}

/** A JSON array is one document: a broken byte or bracket fails the whole file, even when skipping. */
function readJsonArray(file: string, lines: readonly DecodedLine[], collector: PairCollector): void {
  const bad = lines.find((l) => l.text === undefined);
  if (bad) throw notUtf8(file, bad.line);
  const text = lines.map((l) => l.text).join('\n');
  let records: unknown;
  try {
    records = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    throw new DataError({ file, line: lineOfError(text, message) }, `malformed JSON array: ${shorten(message)}`);
  }
  if (!Array.isArray(records)) throw new DataError({ file }, 'expected a JSON array of records');
  records.forEach((record, i) => collector.add(record, i + 1));
}

/**
 * Where a JSON array broke. V8 gives a position for some errors only ("at position N", or
 * "(line L column C)" on Node 22+), so otherwise each top-level element is cut out with a small
 * bracket scanner and parsed alone; the first that fails gives the line it starts on.
 */
function lineOfError(text: string, message: string): number | undefined {
  const byLine = /line (\d+) column/.exec(message);
  if (byLine) return Number(byLine[1]);
  const byPos = /at position (\d+)/.exec(message);
  if (byPos) return lineAt(text, Number(byPos[1]));
  for (const [start, end] of topLevelElements(text)) {
    const part = text.slice(start, end);
    try {
      JSON.parse(part);
    } catch {
      return lineAt(text, start + part.length - part.trimStart().length);
    }
  }
  return undefined;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** [start, end) of each element of a top-level array, split at depth-1 commas outside strings. */
function topLevelElements(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth++ === 0) start = i + 1;
    } else if (c === ']' || c === '}') {
      if (--depth === 0) out.push([start, i]);
    } else if (c === ',' && depth === 1) {
      out.push([start, i]);
      start = i + 1;
    }
  }
  return out;
}

function shorten(s: string): string {
  return s.length > 200 ? s.slice(0, 200) + '...' : s;
}
