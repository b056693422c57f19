import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { useScratch } from '../scratch.spec-helper';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** Starts `trainer launch` with 2 CPU workers and resolves once they train; gives their pids. */
function startJob(out: string): Promise<{ child: ChildProcess; pids: number[]; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/trainer/src/main.ts', 'launch', '--gpus', '2', '--steps', '100000', '--checkpoint-every', '0', '--eval-every', '0', '--out', out],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`job did not start training:\n${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const ready = /workers ready \([^)]*\): pids (\d+)@[^,]+, (\d+)@/.exec(err);
      if (ready && /training bag-of-embeddings/.test(err)) {
        clearTimeout(timer);
        resolve({ child, pids: [Number(ready[1]), Number(ready[2])], stderr: () => err });
      }
    });
    child.on('exit', () => reject(new Error(`job exited early:\n${err}`)));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe('job lifecycle', () => {
  const scratch = useScratch('rk-life-');

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s finishes the step, writes a checkpoint, reaps every worker and exits %d', async (signal, code) => {
    const out = path.join(scratch.dir, `interrupted-${signal}`);
    const { child, pids, stderr } = await startJob(out);
    expect(pids.every(alive)).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill(signal);
    expect(await exited).toBe(code);
    const stopped = /stopped at step (\d+) of 100000; continue with --resume/.exec(stderr());
    expect(stopped).not.toBeNull();
    const step = Number(stopped![1]);
    expect(fs.existsSync(path.join(out, 'checkpoints', `step-${String(step).padStart(6, '0')}`, 'model.safetensors'))).toBe(true);
    expect(await waitFor(() => !pids.some(alive), 5000)).toBe(true);
  });

  it('a lost coordinator makes its workers exit within seconds', async () => {
    const { child, pids } = await startJob(path.join(scratch.dir, 'orphaned'));
    child.kill('SIGKILL');
    expect(await waitFor(() => !pids.some(alive), 5000)).toBe(true);
  });
});
