import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hhRlhf } from '@rewardkit/sample-data';
import { runApp } from '@rewardkit/testing';

/** User errors end the process with one `error: ...` line, exit code 1 and no stack trace. */
describe('trainer CLI: bad input', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-cli-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const expectUserError = (args: string[], pattern: RegExp) => {
    const res = runApp('trainer', ['launch', '--out', path.join(dir, 'run'), ...args]);
    expect(res.status).toBe(1);
    const errorLines = res.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errorLines).toHaveLength(1);
    expect(res.stderr).toMatch(pattern);
    expect(res.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack frames
  };

  it('names the file, line and field of a malformed record', () => {
    const file = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(file, '{"prompt": "q", "chosen": "a", "rejected": "b"}\n{"prompt": "q", "chosen": 5, "rejected": "b"}\n');
    expectUserError(['--train', file, '--eval', file], new RegExp(`${file.replace(/[.]/g, '\\.')}:2 field "chosen"`));
  });

  it('says which file is missing', () => {
    expectUserError(['--train', path.join(dir, 'nope.jsonl')], /nope\.jsonl/);
  });

  it('reports config errors by field', () => {
    expectUserError(['--set', 'train.lr="fast"'], /train\.lr/);
  });

  it('lists the known models for an unknown one', () => {
    expectUserError(['--model', 'gpt-17'], /unknown model plugin "gpt-17"; known: bag-of-embeddings, transformer/);
  });

  it('skips and counts invalid records with --skip-invalid', () => {
    const file = path.join(dir, 'mixed.jsonl');
    const good = fs.readFileSync(hhRlhf.test, 'utf8').split('\n').slice(0, 40);
    fs.writeFileSync(file, [...good.slice(0, 20), '{not json', '{"prompt": "q", "chosen": "same", "rejected": "same"}', ...good.slice(20)].join('\n') + '\n');
    const res = runApp('trainer', ['launch', '--out', path.join(dir, 'skip'), '--train', file, '--eval', file, '--steps', '3', '--batch-size', '8', '--skip-invalid']);
    expect(res.status).toBe(0);
    expect(res.stderr).toMatch(/skipped 2 invalid record/);
    expect(res.stdout).toMatch(/held-out accuracy: [01]\.\d{4} \(40 pairs/);
  });
});
