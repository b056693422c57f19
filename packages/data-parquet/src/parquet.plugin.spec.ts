import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataError, type DataLoader, PluginRegistry } from '@rewardkit/core';
import { recordToPair } from '@rewardkit/data-records';
import { hhRlhf } from '@rewardkit/sample-data';
// hyparquet-writer bundles its own hyparquet, so its SchemaElement type is the one to use here.
import { type ColumnSource, parquetWriteBuffer, type SchemaElement } from 'hyparquet-writer';
import { register } from './register';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rk-parquet-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const registry = new PluginRegistry();
register(registry);

function loader(config: unknown = {}): DataLoader {
  return registry.create('data', 'parquet', config, undefined);
}

const text = (name: string): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });

/** A `list<struct<role, content>>` column, the way Hugging Face stores chat messages. */
const messages = (name: string): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
  text('role'),
  text('content'),
];

/** Writes columns with an explicit schema (hyparquet-writer needs one for nested columns). */
function writeParquet(name: string, columnData: ColumnSource[], schemaElements: SchemaElement[]): string {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columnData.length }, ...schemaElements];
  const file = path.join(dir, name);
  writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData, schema })));
  return file;
}

async function loadError(file: string, config: unknown = {}): Promise<DataError> {
  const err = await loader(config)
    .load(file, { skipInvalid: false })
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('data/parquet', () => {
  it('reads prompt/chosen/rejected rows with margin, source and an INT64 id', async () => {
    const file = writeParquet(
      'basic.parquet',
      [
        { name: 'prompt', data: ['P1', 'P2'] },
        { name: 'chosen', data: [' a', ' c'] },
        { name: 'rejected', data: [' b', ' d'] },
        { name: 'margin', data: [0.5, null] },
        { name: 'source', data: ['s', 's'] },
        { name: 'id', data: [BigInt(10), BigInt(11)] },
      ],
      [text('prompt'), text('chosen'), text('rejected'), { name: 'margin', type: 'DOUBLE', repetition_type: 'OPTIONAL' }, text('source'), { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' }],
    );
    const { pairs, skipped } = await loader().load(file, { skipInvalid: false });
    expect(skipped).toEqual([]);
    expect(pairs).toEqual([
      { id: '10', prompt: 'P1', chosen: ' a', rejected: ' b', margin: 0.5, category: 's', origin: { file, line: 1 } },
      { id: '11', prompt: 'P2', chosen: ' c', rejected: ' d', category: 's', origin: { file, line: 2 } },
    ]);
  });

  it('reads list-of-struct message columns, taking the shared prefix as the prompt', async () => {
    const user = { role: 'user', content: 'hi' };
    const file = writeParquet(
      'chat.parquet',
      [
        { name: 'chosen', data: [[user, { role: 'assistant', content: 'hello' }]] },
        { name: 'rejected', data: [[user, { role: 'assistant', content: 'go away' }]] },
      ],
      [...messages('chosen'), ...messages('rejected')],
    );
    const [pair] = (await loader().load(file, { skipInvalid: false })).pairs;
    expect(pair.prompt).toEqual([user]);
    expect(pair.chosen).toEqual([{ role: 'assistant', content: 'hello' }]);
    expect(pair.rejected).toEqual([{ role: 'assistant', content: 'go away' }]);
  });

  it('reads ranking rows (list<string> responses, list<int32> ranking) beside pair rows with ties', async () => {
    const list = (name: string, element: SchemaElement): SchemaElement[] => [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { ...element, name: 'element' },
    ];
    const file = writeParquet(
      'ranked.parquet',
      [
        { name: 'prompt', data: ['P1', 'P2'] },
        { name: 'chosen', data: [' a', null] },
        { name: 'rejected', data: [' b', null] },
        { name: 'tie', data: [true, null] },
        { name: 'responses', data: [null, [' x', ' y', ' z']] },
        { name: 'ranking', data: [null, [2, 0, 1]] },
      ],
      [
        text('prompt'),
        text('chosen'),
        text('rejected'),
        { name: 'tie', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
        ...list('responses', text('element')),
        ...list('ranking', { name: 'element', type: 'INT32', repetition_type: 'OPTIONAL' }),
      ],
    );
    const { units, pairs } = await loader().load(file, { skipInvalid: false });
    expect(units).toHaveLength(2);
    expect(units![1]).toMatchObject({ prompt: 'P2', responses: [' x', ' y', ' z'], ranking: [2, 0, 1] });
    expect(pairs.map((p) => [p.chosen, p.rejected, p.tie ?? false])).toEqual([
      [' a', ' b', true],
      [' y', ' x', false],
      [' z', ' x', false],
      [' y', ' z', false],
    ]);
  });

  it('maps columns and reads raw HH transcripts', async () => {
    const head = '\n\nHuman: hi\n\nAssistant:';
    const file = writeParquet(
      'mapped.parquet',
      [
        { name: 'good', data: [head + ' hello'] },
        { name: 'bad', data: [head + ' no'] },
        { name: 'extra', data: ['ignored'] },
      ],
      [text('good'), text('bad'), text('extra')],
    );
    const [pair] = (await loader({ columns: { chosen: 'good', rejected: 'bad' } }).load(file, { skipInvalid: false })).pairs;
    expect(pair).toMatchObject({ prompt: head, chosen: ' hello', rejected: ' no' });
    const e = await loadError(file);
    expect(e.message).toContain('field "chosen": no such column; the file has "good", "bad", "extra"');
  });

  it('names the row and field of bad records, and skips them under skipInvalid', async () => {
    const file = writeParquet(
      'bad.parquet',
      [
        { name: 'prompt', data: ['P', 'P', 'P', null] },
        { name: 'chosen', data: ['a', '  ', 'x', 'q'] },
        { name: 'rejected', data: ['b', 'b', 'x', 'r'] },
      ],
      [text('prompt'), text('chosen'), text('rejected')],
    );
    const e = await loadError(file);
    expect(e.location).toEqual({ file, line: 2, field: 'chosen' });
    expect(e.message).toContain(`${file}:2 field "chosen": the response is empty`);
    const r = await loader().load(file, { skipInvalid: true });
    expect(r.pairs.map((p) => p.origin?.line)).toEqual([1]);
    expect(r.skipped.map((s) => `${s.location.line}/${s.location.field}`)).toEqual(['2/chosen', '3/rejected', '4/prompt']);
  });

  it('reports missing and non-Parquet files', async () => {
    expect((await loadError(path.join(dir, 'none.parquet'))).message).toContain('cannot read the data file: no such file');
    const junk = path.join(dir, 'junk.parquet');
    writeFileSync(junk, '{"prompt": "not parquet"}\n');
    expect((await loadError(junk)).message).toContain(`${junk}: not a readable Parquet file`);
  });

  it('reads the embedded HH sample written as Parquet, the same as from JSONL', async () => {
    // the same records read line by line through the shared record reader (what the jsonl plugin does)
    const lines = readFileSync(hhRlhf.test, 'utf8').split('\n').slice(0, 100);
    const slice = lines.map((l, i) => recordToPair(JSON.parse(l), { file: hhRlhf.test, line: i + 1 }));
    const file = writeParquet(
      'hh.parquet',
      [
        { name: 'prompt', data: slice.map((p) => p.prompt) },
        { name: 'chosen', data: slice.map((p) => p.chosen) },
        { name: 'rejected', data: slice.map((p) => p.rejected) },
        { name: 'source', data: slice.map((p) => p.category) },
      ],
      [text('prompt'), text('chosen'), text('rejected'), text('source')],
    );
    const { pairs } = await loader().load(file, { skipInvalid: false });
    const strip = (p: (typeof pairs)[number]) => [p.prompt, p.chosen, p.rejected, p.category];
    expect(pairs.map(strip)).toEqual(slice.map(strip));
  });
});
