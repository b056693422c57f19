import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@rewardkit/core';
import type { CheckpointState } from '@rewardkit/engine';
import { WorkerLostError } from './distributed/worker-lost-error';
import { Recovery } from './recovery';
import { useScratch } from './scratch.spec-helper';
import type { WorkerGroup } from './worker-group';

/** A group whose `recover` records where it was sent and answers with a fixed state. */
function fakeGroup(state: CheckpointState | undefined): WorkerGroup & { recoveredFrom: (string | undefined)[] } {
  const recoveredFrom: (string | undefined)[] = [];
  return {
    size: 2,
    backend: 'cpu',
    recoveredFrom,
    recover: async (dir) => {
      recoveredFrom.push(dir);
      return state;
    },
  } as WorkerGroup & { recoveredFrom: (string | undefined)[] };
}

describe('Recovery', () => {
  const scratch = useScratch('rk-recovery-', { each: true, logs: 'quiet' });

  it('a lost worker: replaces the workers from the newest checkpoint and rewinds the loop to it', async () => {
    const state = { step: 5, sampler: { epoch: 0, cursor: 40 }, meta: {} };
    const group = fakeGroup(state);
    fs.mkdirSync(path.join(scratch.dir, 'checkpoints', 'step-000005'), { recursive: true });
    const rewinds: [CheckpointState | undefined, string][] = [];
    const recovery = new Recovery(group, scratch.dir, (s, reason) => rewinds.push([s, reason]));
    await recovery.run(async () => {
      throw new WorkerLostError('rank 1 (pid 7) exited (SIGKILL)');
    });
    expect(group.recoveredFrom).toHaveLength(1);
    expect(rewinds).toEqual([[state, 'rank 1 (pid 7) exited (SIGKILL)']]);
  });

  it('without a checkpoint: back to the seeded initial state', async () => {
    const group = fakeGroup(undefined);
    const rewinds: (CheckpointState | undefined)[] = [];
    await new Recovery(group, scratch.dir, (s) => rewinds.push(s)).run(async () => {
      throw new WorkerLostError('lost');
    });
    expect(group.recoveredFrom).toEqual([undefined]);
    expect(rewinds).toEqual([undefined]);
  });

  it('any other error, a group that cannot recover, or one loss too many propagates', async () => {
    const never = () => {
      throw new Error('must not rewind');
    };
    await expect(new Recovery(fakeGroup(undefined), scratch.dir, never).run(async () => {
      throw new ConfigError('bad');
    })).rejects.toThrow(ConfigError);
    const fixed = { size: 1, backend: 'cpu' } as WorkerGroup; // in-process: nothing to replace
    await expect(new Recovery(fixed, scratch.dir, never).run(async () => {
      throw new WorkerLostError('lost');
    })).rejects.toThrow(WorkerLostError);
    const recovery = new Recovery(fakeGroup(undefined), scratch.dir, () => undefined, 2);
    const lose = async () => {
      throw new WorkerLostError('lost again');
    };
    await recovery.run(lose);
    await recovery.run(lose);
    await expect(recovery.run(lose)).rejects.toThrow('lost again');
  });
});
