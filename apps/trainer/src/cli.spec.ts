import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hhRlhf } from '@rewardkit/sample-data';
import { runApp } from '@rewardkit/testing';
import { useScratch } from './scratch.spec-helper';

/** User errors end the process with one `error: ...` line, exit code 1 and no stack trace. */
describe('trainer CLI: bad input', () => {
  const scratch = useScratch('rk-cli-');

  const expectUserError = (args: string[], pattern: RegExp) => {
    const res = runApp('trainer', ['launch', '--out', path.join(scratch.dir, 'run'), ...args]);
    expect(res.status).toBe(1);
    const errorLines = res.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errorLines).toHaveLength(1);
    expect(res.stderr).toMatch(pattern);
    expect(res.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack frames
  };

  it('names the file, line and field of a malformed record', () => {
    const file = path.join(scratch.dir, 'bad.jsonl');
    fs.writeFileSync(file, '{"prompt": "q", "chosen": "a", "rejected": "b"}\n{"prompt": "q", "chosen": 5, "rejected": "b"}\n');
    expectUserError(['--train', file, '--eval', file], new RegExp(`${file.replace(/[.]/g, '\\.')}:2 field "chosen"`));
  });

  it('says which file is missing', () => {
    expectUserError(['--train', path.join(scratch.dir, 'nope.jsonl')], /nope\.jsonl/);
  });

  it('reports config errors by field', () => {
    expectUserError(['--set', 'train.lr="fast"'], /train\.lr/);
  });

  it('lists the known models for an unknown one', () => {
    expectUserError(['--model', 'gpt-17'], /unknown model plugin "gpt-17"; known: bag-of-embeddings, transformer/);
  });

  it('skips and counts invalid records with --skip-invalid', () => {
    const file = path.join(scratch.dir, 'mixed.jsonl');
    const good = fs.readFileSync(hhRlhf.test, 'utf8').split('\n').slice(0, 40);
    fs.writeFileSync(file, [...good.slice(0, 20), '{not json', '{"prompt": "q", "chosen": "same", "rejected": "same"}', ...good.slice(20)].join('\n') + '\n');
    const res = runApp('trainer', ['launch', '--out', path.join(scratch.dir, 'skip'), '--train', file, '--eval', file, '--steps', '3', '--batch-size', '8', '--skip-invalid']);
    expect(res.status).toBe(0);
    expect(res.stderr).toMatch(/skipped 2 invalid record/);
    expect(res.stdout).toMatch(/held-out accuracy: [01]\.\d{4} \(40 pairs/);
  });
});

describe('trainer CLI: training length', () => {
  const scratch = useScratch('rk-cli-len-');

  it('without --steps trains --epochs passes over the data and says so', () => {
    const file = path.join(scratch.dir, 'pairs.jsonl');
    fs.writeFileSync(file, fs.readFileSync(hhRlhf.test, 'utf8').split('\n').slice(0, 40).join('\n') + '\n');
    const out = path.join(scratch.dir, 'run');
    const res = runApp('trainer', ['launch', '--out', out, '--train', file, '--eval', file, '--epochs', '1', '--batch-size', '8', '--set', 'evaluators=["accuracy"]']);
    expect(res.status).toBe(0);
    expect(res.stderr).toMatch(/length: 5 steps = 1\.0 epochs of 40 pairs at batch 8 \(train\.epochs 1; --steps overrides\)/);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).train).toMatchObject({ steps: 5, epochs: 1 });
    expect(res.stdout).toMatch(/held-out accuracy: [01]\.\d{4} \(40 pairs/);
  });
});

describe('trainer CLI: run directory and worker count', () => {
  const scratch = useScratch('rk-cli-dir-');

  it('refuses --gpus=1000 before forking or writing anything, saying how many cores there are', () => {
    const out = path.join(scratch.dir, 'absurd');
    const t0 = Date.now();
    const res = runApp('trainer', ['launch', '--out', out, '--gpus', '1000', '--backend', 'wasm']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`error: --gpus=1000: this machine has 0 GPU\\(s\\) the workers can use and ${os.availableParallelism()} CPU core\\(s\\)`));
    expect(res.stderr).toMatch(/--oversubscribe/);
    expect(res.stderr).not.toMatch(/workers ready|rank \d|pid \d/); // nothing was started
    expect(res.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(fs.existsSync(out)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('refuses to overwrite an existing run; an unknown model changes nothing in it', () => {
    const out = path.join(scratch.dir, 'existing');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'config.json'), '{"train": {"steps": 7}}\n');
    const again = runApp('trainer', ['launch', '--out', out, '--steps', '3']);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/error: .*existing already holds a run \(config\.json\): continue it with --resume, replace it with --overwrite/);
    const badModel = runApp('trainer', ['launch', '--out', out, '--overwrite', '--model', 'gpt-17']);
    expect(badModel.status).toBe(1);
    expect(badModel.stderr).toMatch(/unknown model plugin "gpt-17"/);
    expect(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).toBe('{"train": {"steps": 7}}\n');
  });
});

describe('trainer CLI: damaged checkpoints', () => {
  const scratch = useScratch('rk-cli-ckpt-');

  it('--resume warns about a half-written state.json and continues from the checkpoint before, without a stack trace', () => {
    const out = path.join(scratch.dir, 'run');
    const common = ['launch', '--out', out, '--batch-size', '8', '--checkpoint-every', '2', '--eval-every', '0', '--set', 'evaluators=[]'];
    expect(runApp('trainer', [...common, '--steps', '4']).status).toBe(0);
    fs.writeFileSync(path.join(out, 'checkpoints', 'step-000004', 'state.json'), '{"version": 2, "st');
    const res = runApp('trainer', [...common, '--steps', '6', '--resume']);
    expect(res.status).toBe(0);
    expect(res.stderr).toMatch(/step-000004\/state\.json is damaged .*not valid JSON.*; falling back to step-000002/);
    expect(res.stderr).toMatch(/resumed from .*step-000002 at step 2/);
    expect(res.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });
});

describe('trainer CLI: stop signals', () => {
  const scratch = useScratch('rk-cli-sig-');

  /** Starts a long run, sends `signal` once its log matches `when`, and resolves with its exit code and log. */
  const stopWith = (signal: NodeJS.Signals, out: string, extra: string[] = [], when = /training bag-of-embeddings/) =>
    new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const root = path.resolve(__dirname, '..', '..', '..');
      const args = ['--import', 'tsx', 'apps/trainer/src/main.ts', 'launch', '--out', out, '--steps', '100000', '--checkpoint-every', '0', '--eval-every', '0', ...extra];
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no exit after ${signal}:\n${stderr}`));
      }, 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        const first = !when.test(stderr);
        stderr += d.toString();
        if (first && when.test(stderr)) setTimeout(() => child.kill(signal), 1500);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s finishes the step, writes a checkpoint and exits %d', async (signal, code) => {
    const out = path.join(scratch.dir, signal);
    const res = await stopWith(signal, out);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(new RegExp(`${signal}: finishing this step and writing a checkpoint`));
    const stopped = /stopped at step (\d+) of 100000; continue with --resume/.exec(res.stderr);
    expect(stopped).not.toBeNull();
    expect(fs.existsSync(path.join(out, 'checkpoints', `step-${stopped![1].padStart(6, '0')}`, 'model.safetensors'))).toBe(true);
  });

  it('one Ctrl-C while waiting for external workers stops the wait at once and exits 130', async () => {
    const res = await stopWith('SIGINT', path.join(scratch.dir, 'waiting'), ['--gpus', '2', '--external-workers'], /waiting for 2 workers/);
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(/stopped waiting for workers: SIGINT/);
    expect(res.stderr).not.toMatch(/^error: /m);
    expect(res.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });
});
