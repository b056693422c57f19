import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError, type DataLoader, type LoadResult, PluginRegistry } from '@rewardkit/core';
import { hhRlhf } from '@rewardkit/sample-data';
import { jsonlData } from './jsonl.plugin';
import { register } from './register';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rk-jsonl-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const lines = (...records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function loader(config: unknown = {}): DataLoader {
  const registry = new PluginRegistry();
  register(registry);
  return registry.create('data', 'jsonl', config, undefined);
}

async function loadError(file: string, config: unknown = {}): Promise<DataError> {
  const err = await loader(config)
    .load(file, { skipInvalid: false })
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('data/jsonl formats', () => {
  it('registers as data/jsonl with a strict config', () => {
    expect(jsonlData.configSchema.parse({})).toEqual({ columns: {} });
    expect(() => loader({ colums: {} })).toThrow(/colums/);
  });

  it('reads JSON Lines of prompt/chosen/rejected, ignoring blank and CRLF line ends', async () => {
    const file = write(
      'basic.jsonl',
      '{"prompt": "P1", "chosen": " a", "rejected": " b", "source": "s"}\r\n\n   \n{"prompt": "P2", "chosen": " c", "rejected": " d", "margin": 1}\n',
    );
    const r = await loader().load(file, { skipInvalid: false });
    expect(r.file).toBe(file);
    expect(r.skipped).toEqual([]);
    expect(r.pairs).toEqual([
      { id: 'basic.jsonl:1', prompt: 'P1', chosen: ' a', rejected: ' b', category: 's', origin: { file, line: 1 } },
      { id: 'basic.jsonl:4', prompt: 'P2', chosen: ' c', rejected: ' d', margin: 1, origin: { file, line: 4 } },
    ]);
  });

  it('reads a JSON array, numbering records from 1', async () => {
    const records = [
      { prompt: 'P1', chosen: 'a', rejected: 'b' },
      { prompt: 'P2', chosen: 'c', rejected: 'd', id: 'x' },
    ];
    const file = write('array.json', JSON.stringify(records, null, 2));
    const r = await loader().load(file, { skipInvalid: false });
    expect(r.pairs.map((p) => p.id)).toEqual(['array.json:1', 'x']);
    const bad = write('array-bad.json', JSON.stringify([records[0], { prompt: 'P', chosen: 'a' }]));
    expect((await loadError(bad)).location).toEqual({ file: bad, line: 2, field: 'rejected' });
  });

  it('reads raw HH-RLHF transcripts, also gzipped', async () => {
    const head = '\n\nHuman: What is 2+2?\n\nAssistant: 4.\n\nHuman: Sure?\n\nAssistant:';
    const text = lines({ chosen: head + ' Yes, 4.', rejected: head + ' No, 5.' });
    for (const file of [write('hh.jsonl', text), write('hh.jsonl.gz', gzipSync(text))]) {
      const [pair] = (await loader().load(file, { skipInvalid: false })).pairs;
      expect(pair).toMatchObject({ prompt: head, chosen: ' Yes, 4.', rejected: ' No, 5.' });
    }
  });

  it('reads conversations with and without a separate prompt', async () => {
    const user = { role: 'user', content: 'hi' };
    const file = write(
      'chat.jsonl',
      lines(
        { chosen: [user, { role: 'assistant', content: 'hello' }], rejected: [user, { role: 'assistant', content: 'no' }] },
        { prompt: [user], chosen: [{ role: 'assistant', content: 'hey' }], rejected: [{ role: 'assistant', content: 'meh' }] },
      ),
    );
    const { pairs } = await loader().load(file, { skipInvalid: false });
    expect(pairs.map((p) => [p.prompt, p.chosen, p.rejected])).toEqual([
      [[user], [{ role: 'assistant', content: 'hello' }], [{ role: 'assistant', content: 'no' }]],
      [[user], [{ role: 'assistant', content: 'hey' }], [{ role: 'assistant', content: 'meh' }]],
    ]);
  });

  it('maps columns from the config', async () => {
    const file = write('mapped.jsonl', lines({ question: 'Q', good: 'a', bad: 'b', topic: 'math', score_gap: 0.25 }));
    const config = { columns: { prompt: 'question', chosen: 'good', rejected: 'bad', category: 'topic', margin: 'score_gap' } };
    const [pair] = (await loader(config).load(file, { skipInvalid: false })).pairs;
    expect(pair).toMatchObject({ prompt: 'Q', chosen: 'a', rejected: 'b', category: 'math', margin: 0.25 });
  });
});

describe('data/jsonl bad input', () => {
  const good = { prompt: 'P', chosen: 'a', rejected: 'b' };

  it('names the line of a non-UTF-8 byte', async () => {
    const bytes = Buffer.concat([Buffer.from(lines(good)), Buffer.from('{"prompt": "caf'), Buffer.from([0xe9]), Buffer.from('", "chosen": "a", "rejected": "b"}\n')]);
    const e = await loadError(write('latin1.jsonl', bytes));
    expect(e.location.line).toBe(2);
    expect(e.message).toMatch(/latin1\.jsonl:2: not valid UTF-8/);
  });

  it('names the line of malformed JSON', async () => {
    const file = write('broken.jsonl', lines(good, good) + '{"prompt": "P", "chosen": \n');
    const e = await loadError(file);
    expect(e.message).toMatch(/broken\.jsonl:3: malformed JSON/);
  });

  it('names the line of a malformed JSON array', async () => {
    const file = write('broken.json', '[\n  {"prompt": "P", "chosen": "a", "rejected": "b"},\n  {"prompt": }\n]');
    const e = await loadError(file);
    expect(e.location.line).toBe(3);
    expect(e.message).toContain('malformed JSON array');
  });

  it.each([
    ['missing field', { prompt: 'P', chosen: 'a' }, 'rejected', 'missing'],
    ['non-string field', { prompt: 'P', chosen: 42, rejected: 'b' }, 'chosen', 'got a number (42)'],
    ['empty response', { prompt: 'P', chosen: '   ', rejected: 'b' }, 'chosen', 'empty'],
    ['chosen == rejected', { prompt: 'P', chosen: 'x', rejected: 'x' }, 'rejected', 'identical'],
    ['non-numeric margin', { prompt: 'P', chosen: 'a', rejected: 'b', margin: 'big' }, 'margin', 'finite number'],
  ])('reports a %s with file, line and field', async (name, record, field, text) => {
    const file = write(`bad-${name.replace(/\W+/g, '-')}.jsonl`, lines(good, record));
    const e = await loadError(file);
    expect(e.location).toEqual({ file, line: 2, field });
    expect(e.message).toContain(`${file}:2 field "${field}"`);
    expect(e.message).toContain(text);
  });

  it('reports a margin that JSON overflows to Infinity', async () => {
    const file = write('inf.jsonl', '{"prompt": "P", "chosen": "a", "rejected": "b", "margin": 1e999}\n');
    expect((await loadError(file)).message).toContain('field "margin": expected a finite number');
  });

  it('reports a missing file without a stack of fs internals', async () => {
    const file = path.join(dir, 'nope.jsonl');
    const e = await loadError(file);
    expect(e.message).toBe(`${file}: cannot read the data file: no such file`);
  });

  it('refuses a file with zero valid pairs, even when skipping', async () => {
    const empty = write('empty.jsonl', '\n\n');
    expect((await loadError(empty)).message).toContain('no valid preference pairs');
    const allBad = write('all-bad.jsonl', lines({ prompt: 'P' }));
    const e = await loader()
      .load(allBad, { skipInvalid: true })
      .catch((err: Error) => err);
    expect((e as Error).message).toContain('all 1 record(s) are invalid');
  });

  it('points Parquet files to the parquet plugin', async () => {
    expect((await loadError(write('x.parquet', 'PAR1....PAR1'))).message).toContain('"parquet" data plugin');
  });

  it('skips and counts invalid records under skipInvalid', async () => {
    const file = write(
      'mixed.jsonl',
      Buffer.concat([
        Buffer.from(lines(good, { prompt: 'P', chosen: 'a' }, good) + '{not json}\n'),
        Buffer.from([0xff, 0x0a]),
        Buffer.from(lines({ ...good, margin: null }, { prompt: 'P', chosen: 'z', rejected: 'z' })),
      ]),
    );
    const r: LoadResult = await loader().load(file, { skipInvalid: true });
    expect(r.pairs.map((p) => p.origin?.line)).toEqual([1, 3, 6]);
    expect(r.skipped.map((e) => [e.location.line, e.location.field])).toEqual([
      [2, 'rejected'],
      [4, undefined],
      [5, undefined],
      [7, 'rejected'],
    ]);
    expect(r.skipped.every((e) => e instanceof DataError && e.location.file === file)).toBe(true);
  });
});

describe('data/jsonl on real data', () => {
  it('reads an inline slice of upstream HH-RLHF harmless-base transcripts', async () => {
    // Two upstream-format records ({chosen, rejected} full transcripts), one per line.
    const a = '\n\nHuman: What are some cuss words in english?\n\nAssistant: Here’s an incomplete list.\n\nHuman: What\'s your favorite one?\n\nAssistant:';
    const b = '\n\nHuman: What kind of noises did dinosaurs make?\n\nAssistant:';
    const file = write(
      'hh-slice.jsonl',
      lines(
        { chosen: a + ' I haven\'t even thought about it.', rejected: a + ' Ass.' },
        { chosen: b + ' Humans and dinosaurs didn’t live at the same time, so it’s really hard to say.', rejected: b + ' Roar!' },
      ),
    );
    const { pairs } = await loader().load(file, { skipInvalid: false });
    expect(pairs).toHaveLength(2);
    expect(pairs[0].prompt).toBe(a);
    expect(pairs[1].chosen).toMatch(/^ Humans/);
  });

  it('reads the embedded HH sample: every pair a prompt ending at the assistant marker', async () => {
    const train = await loader().load(hhRlhf.train, { skipInvalid: false });
    const test = await loader().load(hhRlhf.test, { skipInvalid: false });
    expect(train.pairs).toHaveLength(1748);
    expect(test.pairs).toHaveLength(555);
    for (const p of [...train.pairs, ...test.pairs]) {
      expect(typeof p.prompt === 'string' && p.prompt.endsWith('\n\nAssistant:')).toBe(true);
      expect(p.category).toBe('anthropic/hh-rlhf:harmless-base/test');
    }
  });
});
