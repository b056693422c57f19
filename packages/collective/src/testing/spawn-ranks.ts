/**
 * Running N ranks for tests and benchmarks, either
 *  - in this process (`withRanks`): N collectives with their own sockets on one event loop; fast, and
 *    enough to exercise every message path, or
 *  - as N child processes (`runRankProcesses`): real separate processes, as training runs them. Each
 *    child binds, reports its address over the IPC channel, receives everyone's addresses (this helper
 *    plays the coordinator's rendezvous), runs a task function and sends its result back.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Collective, CollectiveAlgorithm, CollectiveTuning } from '../collective';
import { bindCollective, type CollectiveEndpoint } from '../create-collective';
import { bindAddressFor, type Transport } from './addresses';
import type { ChildReply, ChildStart, RankTaskContext } from './rank-process';

export interface RanksOptions extends CollectiveTuning {
  readonly worldSize: number;
  readonly algorithm: Exclude<CollectiveAlgorithm, 'local'>;
  readonly transport: Transport;
}

/** Binds and connects N ranks in this process, runs `fn`, and closes every rank afterwards. */
export async function withRanks<T>(opts: RanksOptions, fn: (ranks: Collective[]) => Promise<T>): Promise<T> {
  const endpoints: CollectiveEndpoint[] = [];
  const ranks: Collective[] = [];
  try {
    for (let r = 0; r < opts.worldSize; r++) endpoints.push(await bindCollective(bindAddressFor(opts.transport, `r${r}`)));
    const peerAddresses = endpoints.map((e) => e.address);
    for (let r = 0; r < opts.worldSize; r++) ranks.push(endpoints[r].connect({ ...opts, rank: r, peerAddresses }));
    return await fn(ranks);
  } finally {
    await Promise.all(ranks.map((c) => c.close()));
    for (const e of endpoints.slice(ranks.length)) e.close();
  }
}

/** A module exporting `async (collective, args, ctx) => result`, run once in every child. */
export type RankTask<A, R> = (collective: Collective, args: A, ctx: RankTaskContext) => Promise<R>;

export interface RankProcessOptions<A> extends RanksOptions {
  /** Absolute path of the task module (TypeScript is fine: children run under tsx). */
  readonly taskModule: string;
  /** Name of the exported task function. */
  readonly taskExport: string;
  /** Passed to every rank's task (structured-clone serialisable: typed arrays are fine). */
  readonly args: A;
  /** Kill everything and reject if the ranks have not all reported by then. Default 60 s. */
  readonly processTimeoutMs?: number;
}

/** Runs the task in `worldSize` child processes; resolves with the results in rank order. */
export async function runRankProcesses<A, R>(opts: RankProcessOptions<A>): Promise<R[]> {
  const children: ChildProcess[] = [];
  const stderr: string[] = [];
  const tuning: CollectiveTuning = {
    chunkBytes: opts.chunkBytes,
    timeoutMs: opts.timeoutMs,
    generation: opts.generation,
    lingerMs: opts.lingerMs,
    key: opts.key,
  };
  try {
    const addresses: Promise<string>[] = [];
    const results: Promise<R>[] = [];
    for (let rank = 0; rank < opts.worldSize; rank++) {
      const child = forkRank();
      children.push(child);
      stderr.push('');
      child.stderr?.on('data', (d: Buffer) => (stderr[rank] = (stderr[rank] + d.toString()).slice(-4000)));
      const replies = childReplies(child, rank, () => stderr[rank]);
      const start: ChildStart = {
        type: 'start',
        rank,
        worldSize: opts.worldSize,
        algorithm: opts.algorithm,
        bindAddress: bindAddressFor(opts.transport, `p${rank}`),
        tuning,
        taskModule: opts.taskModule,
        taskExport: opts.taskExport,
        args: opts.args,
      };
      child.send(start);
      addresses.push(replies.bound);
      results.push(replies.bound.then(() => replies.result as Promise<R>));
    }
    const work = (async () => {
      const peerAddresses = await Promise.all(addresses);
      for (const child of children) child.send({ type: 'peers', peerAddresses });
      const values = await Promise.all(results);
      await Promise.all(children.map(exited)); // children close their sockets and exit on their own
      return values;
    })();
    return await withDeadline(work, opts.processTimeoutMs ?? 60_000, () => `rank processes did not finish; stderr:\n${stderr.join('\n')}`);
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

function forkRank(): ChildProcess {
  // The same loader the tsx CLI installs, so children run the TypeScript sources (and the tsconfig
  // paths for @rewardkit/*, found from the workspace root as cwd).
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  return fork(path.join(__dirname, 'rank-process.ts'), [], {
    cwd: workspaceRoot(),
    execArgv: ['--import', tsx],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}

function workspaceRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'nx.json'))) return dir;
  }
  return process.cwd();
}

/** A child's two replies, 'bound' then 'result'; an 'error' reply or an early exit rejects both. */
function childReplies(child: ChildProcess, rank: number, stderrOf: () => string) {
  const bound = deferred<string>();
  const result = deferred<unknown>();
  const fail = (err: Error): void => {
    bound.reject(err);
    result.reject(err);
  };
  child.on('message', (m: ChildReply) => {
    if (m.type === 'bound') bound.resolve(m.address);
    else if (m.type === 'result') result.resolve(m.value);
    else fail(new Error(`rank ${rank} failed: ${m.message}`));
  });
  // Settling twice is a no-op, so an exit after the result arrived changes nothing.
  child.on('exit', (code, signal) => fail(new Error(`rank ${rank} process exited (code ${code}, signal ${signal}) early; stderr:\n${stderrOf()}`)));
  child.on('error', (err) => fail(new Error(`rank ${rank} process: ${err.message}`)));
  return { bound: bound.promise, result: result.promise };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a failure is reported through whichever promise is awaited
  return { promise, resolve, reject };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function withDeadline<T>(work: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`after ${ms} ms: ${describe()}`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
