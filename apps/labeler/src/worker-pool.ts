/**
 * N scoring worker processes (score-worker.ts), worker i placed on GPU i the way the trainer
 * places its workers (CUDA_VISIBLE_DEVICES for tfjs-node-gpu, REWARDKIT_GPU_INDEX for webgpu).
 * Batches go to whichever worker is free; results come back by batch id, so completion order
 * does not matter (the resume file is keyed by sample index).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { RewardkitError } from '@rewardkit/core';
import type { WorkerInit, WorkerReply, WorkerScore } from './score-worker';

class WorkerError extends RewardkitError {
  constructor(rank: number, message: string) {
    super('E_WORKER', `labeler worker ${rank}: ${message}`);
  }
}

export class WorkerPool {
  private readonly free: number[] = [];
  private readonly waiting: ((rank: number) => void)[] = [];
  private readonly pending = new Map<number, { resolve: (r: number[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  private constructor(private readonly procs: ChildProcess[]) {}

  static async start(n: number, init: Omit<WorkerInit, 'type'>, gpus: boolean): Promise<WorkerPool> {
    const file = path.join(__dirname, 'score-worker.ts');
    const procs = Array.from({ length: n }, (_, i) =>
      fork(file, [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, ...(gpus ? { CUDA_VISIBLE_DEVICES: String(i), REWARDKIT_GPU_INDEX: String(i) } : {}) },
      }),
    );
    const pool = new WorkerPool(procs);
    await Promise.all(
      procs.map(
        (p, rank) =>
          new Promise<void>((resolve, reject) => {
            p.on('message', (m: WorkerReply) => pool.onMessage(rank, m, resolve, reject));
            p.on('exit', (code, signal) => pool.fail(new WorkerError(rank, `exited (${signal ?? code}) while scoring`), reject));
            p.send({ type: 'init', ...init } satisfies WorkerInit);
          }),
      ),
    ).catch((err) => {
      pool.close();
      throw err;
    });
    return pool;
  }

  async score(items: WorkerScore['items']): Promise<number[]> {
    const rank = this.free.pop() ?? (await new Promise<number>((r) => this.waiting.push(r)));
    const id = this.nextId++;
    try {
      return await new Promise<number[]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.procs[rank].send({ type: 'score', id, items } satisfies WorkerScore);
      });
    } finally {
      const next = this.waiting.shift();
      if (next) next(rank);
      else this.free.push(rank);
    }
  }

  close(): void {
    for (const p of this.procs) {
      p.removeAllListeners('exit');
      if (p.connected) p.disconnect();
    }
  }

  private onMessage(rank: number, m: WorkerReply, ready: () => void, reject: (e: Error) => void): void {
    if (m.type === 'ready') {
      this.free.push(rank);
      ready();
    } else if (m.type === 'scored') {
      this.pending.get(m.id)?.resolve(m.rewards);
      this.pending.delete(m.id);
    } else {
      const err = new WorkerError(rank, m.message);
      if (m.id === undefined) reject(err);
      else this.pending.get(m.id)?.reject(err);
      if (m.id !== undefined) this.pending.delete(m.id);
    }
  }

  private fail(err: Error, reject: (e: Error) => void): void {
    reject(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
