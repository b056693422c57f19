import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataError, type DataLoader, PluginRegistry } from '@rewardkit/core';
import { register } from './register';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rk-jsonl-shapes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
const lines = (...records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
function loader(): DataLoader {
  const registry = new PluginRegistry();
  register(registry);
  return registry.create('data', 'jsonl', {}, undefined);
}

describe('data/jsonl: preference shapes', () => {
  const user = { role: 'user', content: 'hi' };
  const records = [
    { prompt: 'Q1', chosen: ' a', rejected: ' b', strength: 2 },
    { prompt: 'Q2', chosen: ' c', rejected: ' d', tie: true },
    { prompt: 'Q3', chosen: ' e', rejected: ' f', label: 0.5 },
    { id: 'r', prompt: 'Q4', responses: [' w', ' x', ' y'], ranking: [1, 0, 1] },
    { responses: [[user, { role: 'assistant', content: 'p' }], [user, { role: 'assistant', content: 'q' }]], ranking: [1, 0] },
  ];

  it.each(['jsonl', 'json'])('reads every shape from .%s: units as records, pairs expanded with tie and group', async (ext) => {
    const file = write(`shapes.${ext}`, ext === 'json' ? JSON.stringify(records) : lines(...records));
    const { units, pairs } = await loader().load(file, { skipInvalid: false });
    expect(units).toHaveLength(5);
    expect(pairs).toHaveLength(1 + 1 + 1 + 3 + 1);
    expect(pairs[0]).toMatchObject({ strength: 2 });
    expect([pairs[1].tie, pairs[2].tie]).toEqual([true, true]);
    const ranked = pairs.filter((p) => p.group === 'r');
    expect(ranked.map((p) => [p.chosen, p.rejected, p.tie ?? false])).toEqual([
      [' x', ' w', false],
      [' w', ' y', true],
      [' x', ' y', false],
    ]);
    expect(pairs[6]).toMatchObject({ chosen: [{ role: 'assistant', content: 'q' }], rejected: [{ role: 'assistant', content: 'p' }] });
  });

  it('names file:line:field for a ranking whose lengths disagree', async () => {
    const file = write('bad.jsonl', lines(records[0], { prompt: 'Q', responses: ['a', 'b', 'c'], ranking: [0, 1] }));
    const err = await loader()
      .load(file, { skipInvalid: false })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(/bad\.jsonl:2.*ranking.*2 ranks for 3 responses/);
  });
});
