import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '@rewardkit/core';
import { parquetWriteBuffer, type SchemaElement } from 'hyparquet-writer';
import { readSamples } from './read-samples';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-samples-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, lines: unknown[]) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
};

describe('reading sampled completions', () => {
  it('reads single outputs, output lists and conversations, grouping by prompt_id or by prompt', async () => {
    const chat = [{ role: 'user', content: 'hi' }];
    const file = write('s.jsonl', [
      { prompt_id: 7, prompt: 'P', output: ' a' },
      { prompt: 'Q', outputs: [' b', [{ role: 'assistant', content: 'c' }]] },
      '',
      { prompt_id: 7, prompt: 'P', completion: ' d' },
      { messages: [...chat, { role: 'assistant', content: 'e' }] },
      { prompt: chat, output: 'f' },
    ]);
    const s = await readSamples(file);
    expect(s.map((x) => [x.index, x.line, x.promptKey, x.output])).toEqual([
      [0, 1, '7', ' a'],
      [1, 2, '"Q"', ' b'],
      [2, 2, '"Q"', [{ role: 'assistant', content: 'c' }]],
      [3, 4, '7', ' d'],
      [4, 5, JSON.stringify(chat), [{ role: 'assistant', content: 'e' }]],
      [5, 6, JSON.stringify(chat), 'f'],
    ]);
    expect(s[4].prompt).toEqual(chat);
  });

  it('reads Parquet rows with an outputs list', async () => {
    const schema: SchemaElement[] = [
      { name: 'root', num_children: 2 },
      { name: 'prompt', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'outputs', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ];
    const file = path.join(dir, 's.parquet');
    const columnData = [
      { name: 'prompt', data: ['P1', 'P2'] },
      { name: 'outputs', data: [[' x', ' y'], [' z']] },
    ];
    fs.writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData, schema })));
    const s = await readSamples(file);
    expect(s.map((x) => [x.prompt, x.output, x.line])).toEqual([
      ['P1', ' x', 1],
      ['P1', ' y', 1],
      ['P2', ' z', 2],
    ]);
  });

  it('names the file, line and field of a bad record', async () => {
    const cases: [unknown, RegExp][] = [
      [{ prompt: 'P', output: 3 }, /s-bad\.jsonl:2 field "output": expected a string or a list of \{role, content\} messages, got number/],
      [{ prompt: 'P', outputs: [] }, /:2 field "outputs": expected a non-empty list/],
      [{ output: 'x' }, /:2 field "prompt": expected a string .* got nothing/],
      [{ messages: [{ role: 'user', content: 'x' }] }, /:2 field "messages": expected a conversation ending with an assistant turn/],
      ['{"prompt": ', /:2: malformed JSON/],
    ];
    for (const [bad, msg] of cases) {
      const file = write('s-bad.jsonl', [{ prompt: 'P', output: 'ok' }, bad]);
      const err = await readSamples(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(msg);
    }
  });
});
