/**
 * N worker processes driven over ZeroMQ: the coordinator's side of data parallelism.
 *
 * Rendezvous: every worker binds its collective (ring) socket, then says Hello with that
 * address; once all N have, each gets a Welcome with its rank and everyone's address, builds its
 * replica from the run config (same seed, same weights) and answers Ready.
 * A step: each rank gets its shard as raw frames; the ranks all-reduce gradients among
 * themselves (the coordinator carries no gradients) and every rank answers a StepResult.
 * Faults: a worker that exits, reports an error, or stays silent too long fails the request in
 * flight with WorkerLostError; `recover` then replaces every worker and restores the newest
 * checkpoint, and the training loop replays the steps since, which gives the parameters of an
 * undisturbed run (the sampler and the arithmetic are deterministic).
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { CheckpointError, createLogger, packPairs, pairMargins, RewardkitError, type EncodedPair } from '@rewardkit/core';
import { readCheckpointState, type CheckpointState, type PairRewards, type StepOutcome } from '@rewardkit/engine';
import { decodeScores, encodeScoreRequest, encodeShard, type DecodedMessage, type EnvelopeBodyCase, type Hello } from '@rewardkit/proto';
import type { WorkerGroup } from '../worker-group';
import { CoordinatorSocket } from './coordinator-socket';
import { spawnWorker } from './spawn-worker';
import { HEARTBEAT_INTERVAL_MS } from './worker-env';
import { WorkerLostError } from './worker-lost-error';

const log = createLogger('coordinator');


export interface ProcessGroupOptions {
  readonly size: number;
  /** The resolved run config, sent to every worker. */
  readonly runConfigJson: string;
  readonly padId: number;
  /** The model plugin and its full config, recorded in the exported model. */
  readonly modelRef: { readonly name: string; readonly config: unknown };
  /** Where the coordinator listens; loopback unless told otherwise. */
  readonly bind: string;
  /** false: workers are started elsewhere (`trainer worker --connect ... --token ...`). */
  readonly spawnLocal: boolean;
  /** Give worker i GPU i (CUDA_VISIBLE_DEVICES) when a GPU backend is present. */
  readonly gpus: boolean;
  /** The run config's backend preference, for the workers' own choice. */
  readonly backend: string;
  readonly jobId?: string;
  readonly token?: string;
  readonly algorithm?: 'ring' | 'star';
  readonly chunkBytes?: number;
  /** A worker silent for longer (and 5x the slowest step) counts as dead. */
  readonly silenceMs?: number;
  readonly startupTimeoutMs?: number;
  /** Larger messages from a peer are refused (and logged). Default 64 MiB. */
  readonly maxMessageBytes?: number;
}

interface Slot {
  readonly workerId: string;
  readonly rank: number;
  child?: ChildProcess;
  hello?: Hello;
}

interface Collector {
  readonly body: EnvelopeBodyCase;
  /** Further filter, e.g. the step a result must belong to (late replies of a failed step). */
  readonly accept?: (m: DecodedMessage) => boolean;
  readonly ranks: Set<number>;
  readonly got: Map<number, DecodedMessage>;
  resolve(got: Map<number, DecodedMessage>): void;
  reject(err: Error): void;
}

export class ProcessGroup implements WorkerGroup {
  readonly size: number;
  backend = 'unknown';
  private readonly jobId: string;
  private readonly token: string;
  private socket!: CoordinatorSocket;
  private slots: Slot[] = [];
  private readonly collectors = new Set<Collector>();
  private helloWaiter?: { check(): void; fail(err: Error): void };
  private generation = 0;
  private slowestStepMs = 0;
  private monitor?: NodeJS.Timeout;
  private closing = false;
  private requestId = 0;

  private constructor(private readonly opts: ProcessGroupOptions) {
    this.size = opts.size;
    this.jobId = opts.jobId ?? `job-${crypto.randomBytes(4).toString('hex')}`;
    this.token = opts.token ?? crypto.randomBytes(16).toString('hex');
  }

  /** Binds, starts (or awaits) the workers and completes the rendezvous. */
  static async start(opts: ProcessGroupOptions, restoreDir?: string): Promise<ProcessGroup> {
    const group = new ProcessGroup(opts);
    group.socket = await CoordinatorSocket.bind({ bind: opts.bind, jobId: group.jobId, token: group.token, maxMessageBytes: opts.maxMessageBytes ?? 64 << 20 });
    void group.pump();
    group.monitor = setInterval(() => group.checkLiveness(), HEARTBEAT_INTERVAL_MS);
    try {
      await group.launch(restoreDir);
    } catch (err) {
      await group.close();
      throw err;
    }
    return group;
  }

  get address(): string {
    return this.socket.address;
  }

  /** Process ids of the local workers, by rank (for tests and operators). */
  pids(): number[] {
    return this.slots.map((s) => s.child?.pid ?? s.hello?.pid ?? -1);
  }

  async step(step: number, shards: readonly (readonly EncodedPair[])[], lr: number): Promise<StepOutcome> {
    const globalPairs = shards.reduce((n, s) => n + s.length, 0);
    const t0 = Date.now();
    const results = this.collect('stepResult', this.allRanks(), (m) => m.envelope.body === 'stepResult' && m.envelope.stepResult.step === step);
    await Promise.all(
      this.slots.map((slot) => {
        const pairs = shards[slot.rank];
        const batch = packPairs(pairs, this.opts.padId);
        const frames = encodeShard(
          { step, globalPairs, pairs: pairs.length, width: batch.width, learningRate: lr },
          { batch, margins: pairMargins(pairs) },
        );
        return this.socket.sendFrames(slot.workerId, frames);
      }),
    );
    const got = await results;
    this.slowestStepMs = Math.max(this.slowestStepMs, Date.now() - t0);
    const r = got.get(0)!.envelope;
    if (r.body !== 'stepResult') throw new Error('unreachable');
    const s = r.stepResult;
    return { loss: s.lossSum / s.pairs, accuracy: s.correct / s.pairs, pairs: s.pairs, gradNorm: s.gradNorm, computeMs: s.computeMs, allreduceMs: s.allreduceMs };
  }

  async score(pairs: readonly EncodedPair[]): Promise<PairRewards> {
    const id = ++this.requestId;
    const per = Math.ceil(pairs.length / this.size);
    const slices = this.slots.map((s) => pairs.slice(s.rank * per, (s.rank + 1) * per));
    const replies = this.collect('scores', this.allRanks(), (m) => m.envelope.body === 'scores' && m.envelope.scores.requestId === id);
    await Promise.all(this.slots.map((s) => this.socket.sendFrames(s.workerId, encodeScoreRequest({ requestId: id, pairs: slices[s.rank].length }, slices[s.rank]))));
    const got = await replies;
    const chosen = new Float64Array(pairs.length);
    const rejected = new Float64Array(pairs.length);
    for (const slot of this.slots) {
      const rewards = decodeScores(got.get(slot.rank)!);
      chosen.set(rewards.chosen, slot.rank * per);
      rejected.set(rewards.rejected, slot.rank * per);
    }
    return { chosen, rejected };
  }

  async checkpoint(runDir: string, state: CheckpointState): Promise<string> {
    const done = this.collect('checkpointDone', new Set([0]), (m) => m.envelope.body === 'checkpointDone' && m.envelope.checkpointDone.step === state.step);
    await this.socket.send(this.slots[0].workerId, {
      body: 'checkpoint',
      checkpoint: { step: state.step, dir: runDir, stateJson: JSON.stringify({ sampler: state.sampler, meta: state.meta }) },
    });
    const env = (await done).get(0)!.envelope;
    if (env.body !== 'checkpointDone') throw new Error('unreachable');
    if (!env.checkpointDone.ok) throw new CheckpointError(`rank 0 could not write the checkpoint of step ${state.step}: ${env.checkpointDone.error}`);
    return env.checkpointDone.dir;
  }

  async restore(dir: string): Promise<CheckpointState> {
    const state = readCheckpointState(dir);
    const ready = this.collect('ready', this.allRanks());
    await Promise.all(this.slots.map((s) => this.socket.send(s.workerId, { body: 'restore', restore: { dir, step: state.step } })));
    await ready;
    return state;
  }

  async exportModel(dir: string, info: Record<string, unknown>): Promise<void> {
    const done = this.collect('exportDone', new Set([0]));
    await this.socket.send(this.slots[0].workerId, {
      body: 'exportModel',
      exportModel: { dir, infoJson: JSON.stringify(info), modelJson: JSON.stringify(this.opts.modelRef) },
    });
    await done;
  }

  /** Replaces every worker and restores `dir` (or the seeded initial state when undefined). */
  async recover(dir: string | undefined): Promise<CheckpointState | undefined> {
    if (!this.opts.spawnLocal) {
      throw new WorkerLostError('a remote worker was lost; restart the job with --resume once every worker is back');
    }
    await this.killAll();
    this.generation++;
    await this.launch(dir);
    return dir ? readCheckpointState(dir) : undefined;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.monitor);
    await Promise.all(this.slots.map((s) => this.socket.send(s.workerId, { body: 'shutdown', shutdown: { reason: 'done' } }).catch(() => undefined)));
    await Promise.all(this.slots.map((s) => waitForExit(s.child, 5000)));
    await this.killAll();
    this.failAll(new WorkerLostError('the coordinator is shutting down'));
    this.socket.close();
  }

  // --- internals

  private allRanks(): Set<number> {
    return new Set(this.slots.map((s) => s.rank));
  }

  private async launch(restoreDir?: string): Promise<void> {
    const { size } = this.opts;
    this.slots = Array.from({ length: size }, (_, rank) => ({ workerId: `worker-${rank}`, rank }));
    if (this.opts.spawnLocal) {
      for (const slot of this.slots) {
        this.socket.forget(slot.workerId);
        slot.child = spawnWorker({
          workerId: slot.workerId,
          connect: this.socket.address,
          token: this.token,
          jobId: this.jobId,
          gpuIndex: this.opts.gpus ? slot.rank : undefined,
          backend: this.opts.backend,
        });
        const child = slot.child;
        child.on('exit', (code, signal) => {
          if (this.closing || slot.child !== child) return;
          this.failAll(new WorkerLostError(`rank ${slot.rank} (pid ${child.pid}) exited (${signal ?? `code ${code}`})`));
        });
      }
    } else {
      log.info(`waiting for ${size} workers: trainer worker --connect ${this.socket.address} --job ${this.jobId} --token ${this.token}`);
    }
    await this.awaitHellos(this.opts.startupTimeoutMs ?? 180_000);
    const ringAddresses = this.slots.map((s) => s.hello!.collectiveAddress);
    const ready = this.collect('ready', this.allRanks());
    await Promise.all(
      this.slots.map((s) =>
        this.socket.send(s.workerId, {
          body: 'welcome',
          welcome: {
            rank: s.rank,
            worldSize: size,
            ringAddresses,
            runConfigJson: this.opts.runConfigJson,
            startStep: 0,
            restoreDir: restoreDir ?? '',
            collectiveAlgorithm: this.opts.algorithm ?? 'ring',
            chunkBytes: this.opts.chunkBytes ?? 1 << 20,
            collectiveTimeoutMs: 60_000,
            heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
            generation: this.generation,
          },
        }),
      ),
    );
    const got = await ready;
    const counts = new Set([...got.values()].map((m) => (m.envelope.body === 'ready' ? m.envelope.ready.parameters : -1)));
    if (counts.size !== 1) throw new RewardkitError('E_COLLECTIVE', `workers built models of different sizes: ${[...counts].join(', ')} parameters`);
    const backends = new Set(this.slots.map((s) => s.hello!.backend));
    this.backend = [...backends].join('+');
    const pids = this.slots.map((s) => `${s.hello!.pid}@${s.hello!.hostname}`);
    log.info(`${size} workers ready (${this.backend}): pids ${pids.join(', ')}; ring ${ringAddresses.join(' ')}`);
  }

  private awaitHellos(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.helloWaiter = undefined;
        const missing = this.slots.filter((s) => !s.hello).map((s) => s.workerId);
        reject(new WorkerLostError(`workers did not say hello within ${timeoutMs / 1000}s: ${missing.join(', ')}`));
      }, timeoutMs);
      this.helloWaiter = {
        check: () => {
          if (!this.slots.every((s) => s.hello)) return;
          clearTimeout(timer);
          this.helloWaiter = undefined;
          resolve();
        },
        fail: (err) => {
          clearTimeout(timer);
          this.helloWaiter = undefined;
          reject(err);
        },
      };
      this.helloWaiter.check();
    });
  }

  private async pump(): Promise<void> {
    try {
      for await (const { workerId, message, hello } of this.socket.messages()) {
        if (hello) {
          this.onHello(workerId, hello);
          continue;
        }
        const slot = this.slots.find((s) => s.workerId === workerId);
        if (!slot) continue;
        const env = message.envelope;
        if (env.body === 'error') {
          const { code, message: text, step } = env.error;
          const err =
            code === 'E_COLLECTIVE' || code === 'E_INTERNAL'
              ? new WorkerLostError(`rank ${slot.rank} failed at step ${step}: ${text}`)
              : new RewardkitError(code, `rank ${slot.rank}: ${text}`);
          this.failAll(err);
          continue;
        }
        for (const c of this.collectors) {
          if (c.body === env.body && c.ranks.has(slot.rank) && !c.got.has(slot.rank) && (c.accept?.(message) ?? true)) {
            c.got.set(slot.rank, message);
            if (c.got.size === c.ranks.size) {
              this.collectors.delete(c);
              c.resolve(c.got);
            }
            break;
          }
        }
      }
    } catch (err) {
      if (!this.closing) this.failAll(err as Error);
    }
  }

  private onHello(workerId: string, hello: Hello): void {
    let slot = this.slots.find((s) => s.workerId === workerId);
    if (!slot && !this.opts.spawnLocal) slot = this.slots.find((s) => !s.hello); // remote: first come, first ranked
    if (!slot || slot.hello) {
      log.warn(`ignoring hello from "${workerId}": no free rank`);
      return;
    }
    if (slot.workerId !== workerId) (slot as { workerId: string }).workerId = workerId;
    slot.hello = hello;
    log.debug(`rank ${slot.rank}: ${workerId} (pid ${hello.pid} on ${hello.hostname}, ${hello.backend})`);
    this.helloWaiter?.check();
  }

  /** Waits for one `body` message from each of `ranks`; any failure rejects it. */
  private collect(body: EnvelopeBodyCase, ranks: Set<number>, accept?: (m: DecodedMessage) => boolean): Promise<Map<number, DecodedMessage>> {
    return new Promise((resolve, reject) => {
      this.collectors.add({ body, ranks, accept, got: new Map(), resolve, reject });
    });
  }

  private failAll(err: Error): void {
    this.helloWaiter?.fail(err);
    for (const c of this.collectors) c.reject(err);
    this.collectors.clear();
  }

  private checkLiveness(): void {
    const now = Date.now();
    const limit = Math.max(this.opts.silenceMs ?? 15_000, 5 * this.slowestStepMs);
    for (const slot of this.slots) {
      void this.socket.send(slot.workerId, { body: 'heartbeat', heartbeat: { rank: -1, sentAtMs: now, step: 0 } }).catch(() => undefined);
      const heard = this.socket.lastHeard.get(slot.workerId);
      if (heard !== undefined && now - heard > limit && this.collectors.size > 0) {
        this.failAll(new WorkerLostError(`rank ${slot.rank} silent for ${((now - heard) / 1000).toFixed(0)}s`));
        slot.child?.kill('SIGKILL');
      }
    }
  }

  private async killAll(): Promise<void> {
    const children = this.slots.map((s) => s.child).filter((c): c is ChildProcess => c !== undefined);
    for (const slot of this.slots) slot.child = undefined;
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
