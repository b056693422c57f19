import fs from 'node:fs';
import path from 'node:path';
import { useScratch } from '../scratch.spec-helper';
import { train } from '../train';
import type { WorkerGroup } from '../worker-group';
import { smallRun } from './distributed-test-config.spec-helper';
import { launchWorkers } from './launch-workers';
import type { ProcessGroup } from './process-group';

describe('fault tolerance', () => {
  const scratch = useScratch('rk-fault-', { logs: 'record' });
  const { lines } = scratch;

  it('kill -9 of a worker mid-run: the run recovers and ends with the parameters of an undisturbed run', async () => {
    const overrides = { gpus: 2, train: { steps: 14 }, checkpointEvery: 5 };
    const launch = launchWorkers({ bind: 'tcp://127.0.0.1:0', external: false });
    const undisturbed = await train(smallRun(scratch.dir, 'undisturbed', overrides), { spawnWorkers: launch });

    // capture the group, and kill rank 1 with SIGKILL after step 8 (a checkpoint exists at step 5)
    let group: ProcessGroup | undefined;
    let calls = 0;
    let killed: number | undefined;
    const disturbed = await train(smallRun(scratch.dir, 'disturbed', overrides), {
      spawnWorkers: async (cfg, ctx) => (group = (await launch(cfg, ctx)) as ProcessGroup) as WorkerGroup,
      shouldStop: () => {
        if (++calls === 9 && group) {
          killed = group.pids()[1];
          process.kill(killed, 'SIGKILL');
        }
        return false;
      },
    });
    expect(killed).toBeGreaterThan(0);
    expect(lines.some((l) => /rank 1 \(pid \d+\) exited \(SIGKILL\); recovering \(1\/5\) from .*step-000005/.test(l))).toBe(true);
    const metrics = fs.readFileSync(path.join(scratch.dir, 'disturbed', 'metrics.jsonl'), 'utf8');
    expect(metrics).toMatch(/"kind":"recovery","step":5/);
    const a = fs.readFileSync(path.join(undisturbed.finalDir, 'model.safetensors'));
    const b = fs.readFileSync(path.join(disturbed.finalDir, 'model.safetensors'));
    expect(b.equals(a)).toBe(true); // replay is deterministic: bit-identical, not merely close
    expect(() => process.kill(killed!, 0)).toThrow(); // and the killed worker is really gone
  });
});
