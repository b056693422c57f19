import { spawn } from 'node:child_process';
import path from 'node:path';
import * as zmq from 'zeromq';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '@rewardkit/proto';
import { useScratch } from '../scratch.spec-helper';
import { smallRun } from './distributed-test-config.spec-helper';
import { ProcessGroup, type ProcessGroupOptions } from './process-group';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** Runs `trainer worker` by hand (as on another host) and resolves with its exit code. */
function worker(address: string, token: string, id: string): { exited: Promise<number | null>; kill(): void } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/trainer/src/main.ts', 'worker', '--connect', address, '--token', token, '--job', 'job-rejoin', '--id', id], {
    cwd: REPO,
    stdio: 'ignore',
  });
  return { exited: new Promise((r) => child.once('exit', (code) => r(code))), kill: () => child.kill('SIGKILL') };
}

/** A group on a small run that spawns no workers: it waits for ones started by hand. */
function awaitWorkers(root: string, options: Pick<ProcessGroupOptions, 'size'> & Partial<ProcessGroupOptions>): Promise<ProcessGroup> {
  const cfg = smallRun(root, 'run');
  return ProcessGroup.start({
    runConfigJson: JSON.stringify(cfg),
    padId: 0,
    modelRef: cfg.model,
    bind: 'tcp://127.0.0.1:0',
    spawnLocal: false,
    gpus: false,
    backend: 'auto',
    startupTimeoutMs: 60_000,
    ...options,
  });
}

/** The address is only known once bound: the group logs it while it waits. */
function loggedAddress(lines: readonly string[]): Promise<string> {
  return new Promise<string>((resolve) => {
    const poll = setInterval(() => {
      const m = lines.map((l) => /--connect (\S+)/.exec(l)).find(Boolean);
      if (m) {
        clearInterval(poll);
        resolve(m[1]);
      }
    }, 50);
  });
}

/** Admission is per connection: a refusal is not held against the worker's name. */
describe('admission by connection', () => {
  const scratch = useScratch('rk-rejoin-', { logs: 'record' });
  const { lines } = scratch;

  it('a worker refused for a wrong token exits non-zero, and joins later under the same id with the right one', async () => {
    const starting = awaitWorkers(scratch.dir, { size: 1, jobId: 'job-rejoin', token: 'right' });
    const address = await loggedAddress(lines);
    const refused = worker(address, 'wrong', 'same-id');
    expect(await refused.exited).not.toBe(0);
    expect(lines.some((l) => /refused peer .*wrong token/.test(l))).toBe(true);

    const good = worker(address, 'right', 'same-id');
    try {
      const group = await starting;
      expect(group.size).toBe(1);
      await group.close();
      expect(await good.exited).toBe(0);
    } finally {
      good.kill();
    }
  });
});

describe('waiting for workers', () => {
  const scratch = useScratch('rk-abort-', { logs: 'quiet' });
  it('stops at once when the launcher aborts (Ctrl-C while external workers are awaited)', async () => {
    const controller = new AbortController();
    const starting = awaitWorkers(scratch.dir, { size: 2, signal: controller.signal });
    setTimeout(() => controller.abort('interrupted (SIGINT)'), 300);
    const t0 = Date.now();
    await expect(starting).rejects.toThrow(/stopped waiting for workers: interrupted \(SIGINT\)/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('an admitted worker that turns garbage', () => {
  const scratch = useScratch('rk-garbage-', { logs: 'record' });
  const { lines } = scratch;
  it('is refused and counts as lost: the request in flight fails at once instead of waiting for silence', async () => {
    const dealer = new zmq.Dealer({ receiveTimeout: 10_000, linger: 0 });
    try {
      const starting = awaitWorkers(scratch.dir, { size: 1, jobId: 'job-g', token: 't' });
      const outcome = starting.then(
        () => 'started',
        (err: Error) => err,
      );
      dealer.connect(await loggedAddress(lines));
      const hello = { jobId: 'job-g', protocolVersion: PROTOCOL_VERSION, token: 't', workerId: 'w', pid: 1, hostname: 'h', backend: 'cpu', collectiveAddress: 'tcp://127.0.0.1:1' };
      await dealer.send(encodeMessage({ body: 'hello', hello }));
      let welcome;
      do welcome = decodeMessage(await dealer.receive()).envelope;
      while (welcome.body !== 'welcome'); // heartbeats may come first
      await dealer.send([Buffer.from('not a protobuf envelope at all')]);
      const err = await outcome;
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/rank 0 was refused: undecodable message/);
    } finally {
      dealer.close();
    }
  });
});
