import type { ChildProcess } from 'node:child_process';
import { spawnWorker, type SpawnWorkerOptions } from './spawn-worker';

/**
 * The worker processes this coordinator started itself (one per rank), and their reaping. An
 * exit nobody asked for is reported through `onLost`; exits during `killAll` are not.
 */
export class LocalWorkers {
  private children: (ChildProcess | undefined)[] = [];

  constructor(private readonly onLost: (rank: number, pid: number | undefined, how: string) => void) {}

  /** Starts one worker per rank; `options(rank)` gives each its name and device. */
  spawn(size: number, options: (rank: number) => SpawnWorkerOptions): void {
    this.children = Array.from({ length: size }, (_, rank) => {
      const child = spawnWorker(options(rank));
      child.on('exit', (code, signal) => {
        if (this.children[rank] === child) this.onLost(rank, child.pid, signal ?? `code ${code}`);
      });
      return child;
    });
  }

  pid(rank: number): number | undefined {
    return this.children[rank]?.pid;
  }

  /** Kills `rank` at once (it went silent); its exit is then reported as lost. */
  kill(rank: number): void {
    this.children[rank]?.kill('SIGKILL');
  }

  /** Waits up to `ms` for every worker to exit by itself (after a Shutdown). */
  async waitForExit(ms: number): Promise<void> {
    await Promise.all(this.children.map((c) => waitForExit(c, ms)));
  }

  /** SIGKILLs whatever is still running and waits for it; no exit is reported as lost. */
  async killAll(): Promise<void> {
    const children = this.children.filter((c): c is ChildProcess => c !== undefined);
    this.children = [];
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => waitForExit(c, 5000)));
  }
}

function waitForExit(child: ChildProcess | undefined, ms: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
