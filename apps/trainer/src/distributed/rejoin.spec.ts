import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as zmq from 'zeromq';
import { setLogSink } from '@rewardkit/core';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '@rewardkit/proto';
import { smallRun } from './distributed-test-config.spec-helper';
import { ProcessGroup } from './process-group';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** Runs `trainer worker` by hand (as on another host) and resolves with its exit code. */
function worker(address: string, token: string, id: string): { exited: Promise<number | null>; kill(): void } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/trainer/src/main.ts', 'worker', '--connect', address, '--token', token, '--job', 'job-rejoin', '--id', id], {
    cwd: REPO,
    stdio: 'ignore',
  });
  return { exited: new Promise((r) => child.once('exit', (code) => r(code))), kill: () => child.kill('SIGKILL') };
}

/** Admission is per connection: a refusal is not held against the worker's name. */
describe('admission by connection', () => {
  let root: string;
  const lines: string[] = [];
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-rejoin-'));
    setLogSink((_l, line) => lines.push(line));
  });
  afterAll(() => {
    setLogSink(undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a worker refused for a wrong token exits non-zero, and joins later under the same id with the right one', async () => {
    const cfg = smallRun(root, 'run');
    const starting = ProcessGroup.start({
      size: 1,
      runConfigJson: JSON.stringify(cfg),
      padId: 0,
      modelRef: cfg.model,
      bind: 'tcp://127.0.0.1:0',
      spawnLocal: false,
      gpus: false,
      backend: 'auto',
      jobId: 'job-rejoin',
      token: 'right',
      startupTimeoutMs: 60_000,
    });
    // the address is only known once bound: the group logs it while it waits
    const address = await new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        const m = lines.map((l) => /--connect (\S+)/.exec(l)).find(Boolean);
        if (m) {
          clearInterval(poll);
          resolve(m[1]);
        }
      }, 50);
    });
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
  it('stops at once when the launcher aborts (Ctrl-C while external workers are awaited)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-abort-'));
    setLogSink(() => undefined);
    try {
      const cfg = smallRun(root, 'run');
      const controller = new AbortController();
      const starting = ProcessGroup.start({
        size: 2,
        runConfigJson: JSON.stringify(cfg),
        padId: 0,
        modelRef: cfg.model,
        bind: 'tcp://127.0.0.1:0',
        spawnLocal: false,
        gpus: false,
        backend: 'auto',
        startupTimeoutMs: 60_000,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort('interrupted (SIGINT)'), 300);
      const t0 = Date.now();
      await expect(starting).rejects.toThrow(/stopped waiting for workers: interrupted \(SIGINT\)/);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      setLogSink(undefined);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('an admitted worker that turns garbage', () => {
  it('is refused and counts as lost: the request in flight fails at once instead of waiting for silence', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-garbage-'));
    const lines: string[] = [];
    setLogSink((_l, line) => lines.push(line));
    const dealer = new zmq.Dealer({ receiveTimeout: 10_000, linger: 0 });
    try {
      const cfg = smallRun(root, 'run');
      const starting = ProcessGroup.start({
        size: 1,
        runConfigJson: JSON.stringify(cfg),
        padId: 0,
        modelRef: cfg.model,
        bind: 'tcp://127.0.0.1:0',
        spawnLocal: false,
        gpus: false,
        backend: 'auto',
        jobId: 'job-g',
        token: 't',
        startupTimeoutMs: 60_000,
      });
      const outcome = starting.then(
        () => 'started',
        (err: Error) => err,
      );
      const address = await new Promise<string>((resolve) => {
        const poll = setInterval(() => {
          const m = lines.map((l) => /--connect (\S+)/.exec(l)).find(Boolean);
          if (m) {
            clearInterval(poll);
            resolve(m[1]);
          }
        }, 50);
      });
      dealer.connect(address);
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
      setLogSink(undefined);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
