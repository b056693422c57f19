/**
 * N worker processes driven over ZeroMQ: the coordinator's side of data parallelism. This file is
 * the protocol (what a step, a score, a checkpoint, a restore and an export ask of which ranks);
 * the jobs it composes live beside it, one per file:
 *   coordinator-socket.ts  admission, per connection
 *   rendezvous.ts          admitted connections claim ranks with their Hello
 *   local-workers.ts       spawning and reaping the workers of this host
 *   reply-collector.ts     one reply per rank per request; a failure fails every request
 *   liveness.ts            heartbeats and silence
 *   step-protocol.ts       the messages, for both ends
 * Rendezvous: every worker binds its ring socket, then says Hello with that address; once all N
 * have, each gets a Welcome with its rank and everyone's address, builds its ReplicaService from
 * the run config (same seed, same weights) and answers Ready.
 * Faults: a worker that exits, reports an error or stays silent fails the request in flight with
 * WorkerLostError; `recover` then replaces every worker and restores a checkpoint (see recovery.ts).
 */
import crypto from 'node:crypto';
import { CheckpointError, createLogger, printable, RewardkitError, type EncodedPair, type EncodedUnit } from '@rewardkit/core';
import { readCheckpointState, type CheckpointState, type ModelRef, type PairRewards, type StepOutcome } from '@rewardkit/engine';
import type { DecodedMessage, EnvelopeInput, Hello } from '@rewardkit/proto';
import type { WorkerGroup } from '../worker-group';
import { CoordinatorSocket } from './coordinator-socket';
import { Liveness } from './liveness';
import { LocalWorkers } from './local-workers';
import { Rendezvous } from './rendezvous';
import { ReplyCollector } from './reply-collector';
import { encodeScoreSlice, encodeStepRequests, mergeScores, outcomeOf, scoreSlices } from './step-protocol';
import { WorkerLostError } from './worker-lost-error';
import { SHUTDOWN_DONE, SHUTDOWN_REGROUP } from './worker-env';

const log = createLogger('coordinator');

export interface ProcessGroupOptions {
  readonly size: number;
  /** The resolved run config, sent to every worker. */
  readonly runConfigJson: string;
  readonly padId: number;
  /** The model plugin and its full config, recorded in the exported model. */
  readonly modelRef: ModelRef;
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
  /** Aborting stops the wait for workers at once (Ctrl-C or SIGTERM while external workers are awaited). */
  readonly signal?: AbortSignal;
  /**
   * External workers whose rank a scheduler already chose: rank r is held only by a worker that
   * names itself `rankNames(r)` (cluster mode; otherwise first come, first ranked).
   */
  readonly rankNames?: (rank: number) => string;
}

export class ProcessGroup implements WorkerGroup {
  readonly size: number;
  backend = 'unknown';
  private readonly jobId: string;
  private readonly token: string;
  private socket!: CoordinatorSocket;
  private readonly rendezvous = new Rendezvous();
  private readonly replies = new ReplyCollector();
  private readonly workers = new LocalWorkers((rank, pid, how) => {
    if (!this.closing) this.failAll(new WorkerLostError(`rank ${rank} (pid ${pid}) exited (${how})`));
  });
  private liveness?: Liveness;
  private generation = 0;
  private closing = false;
  private requestId = 0;
  /** The final model is written: the run is over, and a Shutdown says so (a scheduler's worker exits 0 only then). */
  private exported = false;

  private constructor(private readonly opts: ProcessGroupOptions) {
    this.size = opts.size;
    this.jobId = opts.jobId ?? `job-${crypto.randomBytes(4).toString('hex')}`;
    this.token = opts.token ?? crypto.randomBytes(16).toString('hex');
  }

  /** Binds, starts (or awaits) the workers and completes the rendezvous. */
  static async start(opts: ProcessGroupOptions, restoreDir?: string): Promise<ProcessGroup> {
    const group = new ProcessGroup(opts);
    group.socket = await CoordinatorSocket.bind({
      bind: opts.bind,
      jobId: group.jobId,
      token: group.token,
      maxMessageBytes: opts.maxMessageBytes ?? 64 << 20,
      onExpelled: (peer, reason) => {
        const rank = group.rendezvous.rankOf(peer);
        if (rank !== undefined) group.failAll(new WorkerLostError(`rank ${rank} was refused: ${reason}`));
      },
    });
    group.liveness = new Liveness({
      socket: group.socket,
      slots: () => group.rendezvous.slots,
      busy: () => group.replies.waiting,
      silenceMs: opts.silenceMs ?? 15_000,
      onSilent: (slot, seconds) => {
        group.failAll(new WorkerLostError(`rank ${slot.rank} silent for ${seconds.toFixed(0)}s`));
        group.workers.kill(slot.rank);
      },
    });
    void group.pump();
    group.liveness.start();
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

  /** Process ids of the workers, by rank (for tests and operators). */
  pids(): number[] {
    return this.rendezvous.slots.map((s) => this.workers.pid(s.rank) ?? s.hello?.pid ?? -1);
  }

  async step(step: number, shards: readonly (readonly EncodedUnit[])[], lr: number): Promise<StepOutcome> {
    const t0 = Date.now();
    const results = this.replies.collect('stepResult', this.allRanks(), (m) => m.envelope.body === 'stepResult' && m.envelope.stepResult.step === step);
    const requests = encodeStepRequests(step, shards, lr, this.opts.padId);
    await Promise.all(this.rendezvous.slots.map((s) => this.socket.sendFrames(s.peer!, requests[s.rank])));
    const got = await results;
    this.liveness?.noteStep(Date.now() - t0);
    return outcomeOf(got.get(0)!);
  }

  async score(pairs: readonly EncodedPair[]): Promise<PairRewards> {
    const id = ++this.requestId;
    const slices = scoreSlices(pairs, this.size);
    const replies = this.replies.collect('scores', this.allRanks(), (m) => m.envelope.body === 'scores' && m.envelope.scores.requestId === id);
    await Promise.all(this.rendezvous.slots.map((s) => this.socket.sendFrames(s.peer!, encodeScoreSlice(id, slices[s.rank]))));
    const got = await replies;
    return mergeScores(pairs.length, this.rendezvous.slots.map((s) => got.get(s.rank)!));
  }

  async checkpoint(runDir: string, state: CheckpointState): Promise<string> {
    const done = this.replies.collect('checkpointDone', new Set([0]), (m) => m.envelope.body === 'checkpointDone' && m.envelope.checkpointDone.step === state.step);
    await this.sendTo(0, { body: 'checkpoint', checkpoint: { step: state.step, dir: runDir, stateJson: JSON.stringify({ sampler: state.sampler, meta: state.meta }) } });
    const env = (await done).get(0)!.envelope;
    if (env.body !== 'checkpointDone') throw new Error('unreachable');
    if (!env.checkpointDone.ok) throw new CheckpointError(`rank 0 could not write the checkpoint of step ${state.step}: ${env.checkpointDone.error}`);
    return env.checkpointDone.dir;
  }

  async restore(dir: string): Promise<CheckpointState> {
    const state = readCheckpointState(dir);
    const ready = this.replies.collect('ready', this.allRanks());
    await Promise.all(this.rendezvous.slots.map((s) => this.sendTo(s.rank, { body: 'restore', restore: { dir } })));
    checkReady(await ready, state.step);
    return state;
  }

  async exportModel(dir: string, info: Record<string, unknown>): Promise<void> {
    const done = this.replies.collect('exportDone', new Set([0]));
    await this.sendTo(0, { body: 'exportModel', exportModel: { dir, infoJson: JSON.stringify(info), modelJson: JSON.stringify(this.opts.modelRef) } });
    await done;
    this.exported = true;
  }

  /** Replaces every worker and restores `dir` (or the seeded initial state when undefined). */
  async recover(dir: string | undefined): Promise<CheckpointState | undefined> {
    if (!this.opts.spawnLocal && !this.opts.rankNames) {
      throw new WorkerLostError('a remote worker was lost; restart the job with --resume once every worker is back');
    }
    if (!this.opts.spawnLocal) {
      // scheduler-started ranks: the survivors start over and say hello again; the lost rank
      // rejoins when its scheduler restarts it (or the wait for it times out and the job fails)
      const reason = { body: 'shutdown', shutdown: { reason: SHUTDOWN_REGROUP } } as const;
      await Promise.all(this.rendezvous.slots.map((s) => this.sendTo(s.rank, reason).catch(() => undefined)));
      log.warn(`regrouping: waiting for all ${this.size} ranks to say hello again`);
    }
    await this.workers.killAll();
    this.generation++;
    await this.launch(dir);
    return dir ? readCheckpointState(dir) : undefined;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.liveness?.stop();
    await Promise.all(this.rendezvous.slots.map((s) => this.sendTo(s.rank, { body: 'shutdown', shutdown: { reason: this.exported ? SHUTDOWN_DONE : 'stopped before the end of training' } }).catch(() => undefined)));
    await this.workers.waitForExit(5000);
    await this.workers.killAll();
    this.failAll(new WorkerLostError('the coordinator is shutting down'));
    this.socket.close();
  }

  // --- internals

  private allRanks(): Set<number> {
    return new Set(this.rendezvous.slots.map((s) => s.rank));
  }

  private async sendTo(rank: number, env: EnvelopeInput): Promise<void> {
    const peer = this.rendezvous.slots[rank]?.peer;
    if (peer) await this.socket.send(peer, env);
  }

  /** Starts (or awaits) a fresh generation of workers, welcomes them and waits until all are Ready. */
  private async launch(restoreDir?: string): Promise<void> {
    const { size } = this.opts;
    const names = (rank: number) => `worker-${rank}`;
    for (const peer of this.rendezvous.reset(size, this.opts.spawnLocal ? names : this.opts.rankNames)) this.socket.forget(peer);
    if (this.opts.spawnLocal) {
      this.workers.spawn(size, (rank) => ({
        workerId: names(rank),
        connect: this.socket.address,
        token: this.token,
        jobId: this.jobId,
        gpuIndex: this.opts.gpus ? rank : undefined,
        backend: this.opts.backend,
      }));
    } else {
      // a token the operator chose (a scheduler's secret) stays out of the logs; a generated one must be shown
      const token = this.opts.token === undefined ? this.token : '<the job token>';
      log.info(`waiting for ${size} workers: trainer worker --connect ${this.socket.address} --job ${this.jobId} --token ${token}`);
    }
    await this.rendezvous.gather(this.opts.startupTimeoutMs ?? 180_000, this.opts.signal);
    const slots = this.rendezvous.slots;
    const ringAddresses = slots.map((s) => s.hello!.collectiveAddress);
    const ready = this.replies.collect('ready', this.allRanks());
    await Promise.all(
      slots.map((s) =>
        this.sendTo(s.rank, {
          body: 'welcome',
          welcome: {
            rank: s.rank,
            worldSize: size,
            ringAddresses,
            runConfigJson: this.opts.runConfigJson,
            restoreDir: restoreDir ?? '',
            collectiveAlgorithm: this.opts.algorithm ?? 'ring',
            chunkBytes: this.opts.chunkBytes ?? 1 << 20,
            collectiveTimeoutMs: 60_000,
            generation: this.generation,
          },
        }),
      ),
    );
    checkReady(await ready, restoreDir ? readCheckpointState(restoreDir).step : 0);
    this.backend = [...new Set(slots.map((s) => bare(s.hello!.backend, 40)))].join('+');
    const pids = slots.map((s) => `${s.hello!.pid}@${bare(s.hello!.hostname, 80)}`);
    log.info(`${size} workers ready (${this.backend}): pids ${pids.join(', ')}; ring ${ringAddresses.map((a) => printable(a, 120)).join(' ')}`);
  }

  /** Routes admitted messages: Hellos to the rendezvous, error reports to every request, replies to theirs. */
  private async pump(): Promise<void> {
    try {
      for await (const { peer, message, hello } of this.socket.messages()) {
        if (hello) {
          if (!this.rendezvous.onHello(peer, hello)) this.onRestartedRank(peer, hello);
          continue;
        }
        const rank = this.rendezvous.rankOf(peer);
        if (rank === undefined) continue;
        if (message.envelope.body === 'error') this.failAll(this.reportedError(rank, message));
        else this.replies.deliver(rank, message);
      }
    } catch (err) {
      if (!this.closing) this.failAll(err as Error);
    }
  }

  /**
   * A scheduler's rank said hello while its rank is held: the scheduler restarted it, so its old
   * process is gone. The request in flight fails (recovery regroups every rank) and the newcomer
   * is told to regroup too, to say hello again once the ranks are free.
   */
  private onRestartedRank(peer: string, hello: Hello): void {
    const held = this.opts.rankNames ? this.rendezvous.slots.find((s) => s.hello && s.spawnedAs === hello.workerId) : undefined;
    if (!held) return;
    this.failAll(new WorkerLostError(`rank ${held.rank} started again (pid ${hello.pid} on ${bare(hello.hostname, 80)}): its previous process is gone`));
    void this.socket.send(peer, { body: 'shutdown', shutdown: { reason: SHUTDOWN_REGROUP } }).catch(() => undefined);
  }

  private reportedError(rank: number, message: DecodedMessage): Error {
    if (message.envelope.body !== 'error') throw new Error('unreachable');
    const { code, message: text, step } = message.envelope.error;
    const what = bare(text, 2000);
    // a ring or internal failure is a lost worker (recoverable); anything else is the user's to fix
    return code === 'E_COLLECTIVE' || code === 'E_INTERNAL'
      ? new WorkerLostError(`rank ${rank} failed at step ${step}: ${what}`)
      : new RewardkitError(bare(code, 40), `rank ${rank}: ${what}`);
  }

  private failAll(err: Error): void {
    this.rendezvous.fail(err);
    this.replies.failAll(err);
  }
}

/** Every rank built the same model and holds the step it was asked for. */
function checkReady(got: Map<number, DecodedMessage>, step: number): void {
  const ready = [...got].map(([rank, m]) => {
    if (m.envelope.body !== 'ready') throw new Error('unreachable');
    return { ...m.envelope.ready, rank }; // the rank we know it by, not the one it claims
  });
  const counts = new Set(ready.map((r) => r.parameters));
  if (counts.size !== 1) throw new RewardkitError('E_COLLECTIVE', `workers built models of different sizes: ${[...counts].join(', ')} parameters`);
  const off = ready.find((r) => r.step !== step);
  if (off) throw new CheckpointError(`rank ${off.rank} holds the state of step ${off.step}, expected step ${step}`);
}

/** A peer-supplied string escaped for a log line or an error message, without the quotes. */
function bare(text: string, max: number): string {
  return printable(text, max).slice(1, -1);
}
