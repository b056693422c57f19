import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { randomPairs } from '@rewardkit/testing';
import { useScratch } from '../scratch.spec-helper';
import { smallRun } from './distributed-test-config.spec-helper';
import { ProcessGroup } from './process-group';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Workers started by hand, as on other hosts: `trainer worker --connect ... --token ... --job ...`. */
describe('external workers (multi-host mode)', () => {
  const children: ChildProcess[] = [];
  const scratch = useScratch('rk-ext-', {
    logs: 'quiet',
    teardown: () => {
      for (const c of children) c.kill('SIGKILL');
    },
  });

  it('ranks the workers that connect with the token and trains with them', async () => {
    const address = `tcp://127.0.0.1:${await freePort()}`;
    const cfg = smallRun(scratch.dir, 'run');
    const starting = ProcessGroup.start({
      size: 2,
      runConfigJson: JSON.stringify(cfg),
      padId: 0,
      modelRef: cfg.model,
      bind: address,
      spawnLocal: false,
      gpus: false,
      backend: 'auto',
      jobId: 'job-ext',
      token: 'ext-secret',
      startupTimeoutMs: 60_000,
    });
    for (const id of ['host-a', 'host-b']) {
      children.push(
        spawn(process.execPath, ['--import', 'tsx', 'apps/trainer/src/main.ts', 'worker', '--connect', address, '--token', 'ext-secret', '--job', 'job-ext', '--id', id], {
          cwd: REPO,
          stdio: 'ignore',
        }),
      );
    }
    const group = await starting;
    try {
      const pairs = randomPairs(6, 50000, 50256, 9);
      const out = await group.step(1, [pairs.slice(0, 3), pairs.slice(3)], 0.01);
      expect(out.pairs).toBe(6);
      expect(Number.isFinite(out.gradNorm)).toBe(true);
    } finally {
      await group.close();
    }
    // told to shut down, the workers exit by themselves
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    expect(children.every((c) => c.exitCode === 0)).toBe(true);
  });
});
