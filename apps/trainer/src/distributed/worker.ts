/**
 * A worker process: one replica of the model. It says hello to the coordinator, learns its rank
 * and the ring, builds its ReplicaService, then serves the coordinator's requests one at a time
 * (decode -> service -> encode, in step-protocol.ts): a shard of every global batch, held-out
 * scoring, checkpoints and the final export (rank 0). It exits 0 when told to, non-zero when
 * refused or when the coordinator is gone.
 */
import os from 'node:os';
import * as zmq from 'zeromq';
import { initBackend, useComputePrecision } from '@rewardkit/backend';
import { bindCollective, collectiveKey } from '@rewardkit/collective';
import { createLogger, parseRunConfig, printable, RewardkitError } from '@rewardkit/core';
import { GRADIENT_STATS, ReplicaService } from '@rewardkit/engine';
import { decodeMessage, type DecodedMessage, encodeMessage, PROTOCOL_VERSION, type EnvelopeInput, type Welcome } from '@rewardkit/proto';
import { buildTokenizer, createShippedRegistry } from '@rewardkit/runtime';
import { buildReplica } from '@rewardkit/training';
import { AsyncQueue } from './async-queue';
import { readyMessage, serveRequest } from './step-protocol';
import { COORDINATOR_SILENCE_MS, ENV, EXIT_REGROUP, EXIT_STOPPED_EARLY, HEARTBEAT_INTERVAL_MS, SHUTDOWN_DONE, SHUTDOWN_REGROUP } from './worker-env';

export interface WorkerOptions {
  /** The coordinator's address, e.g. tcp://127.0.0.1:5555. */
  readonly connect: string;
  readonly token: string;
  readonly jobId: string;
  /** A name for logs; admission is by connection, so it need not be unique. */
  readonly workerId: string;
  /** Host for this worker's collective socket; peers must be able to reach it. */
  readonly collectiveHost: string;
  /**
   * Silence allowed before the coordinator's first word (default COORDINATOR_SILENCE_MS): a
   * scheduler may start workers minutes before the coordinator listens.
   */
  readonly firstContactMs?: number;
  /**
   * Exit EXIT_STOPPED_EARLY unless the Shutdown says the run is done: under a scheduler, exit 0
   * would mark this rank finished and it would not come back for the resumed job.
   */
  readonly failUnlessDone?: boolean;
}

export async function runWorker(opts: WorkerOptions): Promise<void> {
  let log = createLogger(opts.workerId);
  // no routingId: ZeroMQ names each connection afresh, and the coordinator admits connections
  const socket = new zmq.Dealer({ linger: 1000 });
  socket.connect(opts.connect);
  const send = (env: EnvelopeInput, payloads: ArrayBufferView[] = []) => socket.send(encodeMessage(env, payloads));
  const sendFrames = (frames: Buffer[]) => socket.send(frames);

  // The coordinator's death must end us within seconds: silence, or EOF on our stdin pipe.
  let lastHeard = Date.now();
  let rank = -1;
  let step = 0;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.warn(why);
    process.exitCode = 1; // refused or orphaned: a supervisor must see the failure
    socket.close();
    // a collective call blocked on a peer must not keep us alive
    setTimeout(() => process.exit(1), 2000).unref();
  };
  if (process.env[ENV.parentPipe] === '1') {
    process.stdin.on('end', () => stop('coordinator process gone (stdin closed): exiting')).resume();
  }
  // Ctrl-C in a terminal reaches the whole process group, and a scheduler may SIGTERM all of it:
  // the coordinator decides when its own workers stop (after a checkpoint), a stand-alone one obeys SIGTERM.
  process.on('SIGINT', () => undefined);
  if (process.env[ENV.parentPipe] === '1') process.on('SIGTERM', () => undefined);

  const prefer = (process.env[ENV.backend] ?? 'auto') as 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  const backend = await initBackend({ prefer, gpu: true, logger: log });
  const endpoint = await bindCollective(`tcp://${opts.collectiveHost}:0`);
  await send({
    body: 'hello',
    hello: {
      jobId: opts.jobId,
      protocolVersion: PROTOCOL_VERSION,
      token: opts.token,
      workerId: opts.workerId,
      pid: process.pid,
      hostname: os.hostname(),
      backend: backend.name,
      collectiveAddress: endpoint.address,
    },
  });
  // Heartbeats only after hello: the coordinator refuses a peer whose first word is anything else.
  lastHeard = Date.now();
  const helloAt = lastHeard;
  let lastTick = Date.now();
  const watchdog = setInterval(() => {
    // told to shut down while a step still runs: the socket is closed, and a send on it throws
    if (socket.closed) return;
    // Timers run before pending socket reads: right after a long synchronous step (a loaded
    // machine) the heartbeats that arrived meanwhile are still unread, so judge silence next tick.
    const late = Date.now() - lastTick > 2 * HEARTBEAT_INTERVAL_MS;
    lastTick = Date.now();
    if (late) return;
    const limit = lastHeard === helloAt ? Math.max(opts.firstContactMs ?? 0, COORDINATOR_SILENCE_MS) : COORDINATOR_SILENCE_MS;
    if (Date.now() - lastHeard > limit) stop(`no word from the coordinator for ${limit / 1000}s: exiting`);
    else void send({ body: 'heartbeat', heartbeat: {} }).catch(() => undefined);
  }, HEARTBEAT_INTERVAL_MS);

  let service: ReplicaService | undefined;
  let ring: { close(): Promise<void> } | undefined; // the service's collective, closed on shutdown
  /** Builds the replica of the run config, restores its checkpoint, joins the ring. */
  const welcome = (w: Welcome): ReplicaService => {
    rank = w.rank;
    log = createLogger(`rank ${rank}`);
    const cfg = parseRunConfig(JSON.parse(w.runConfigJson), 'run config from the coordinator');
    const registry = createShippedRegistry(cfg.plugins);
    const tokenizer = buildTokenizer(cfg, registry);
    const precision = useComputePrecision(cfg.train.precision); // f16: refused unless webgpu has shader-f16
    if (precision) log.info(precision);
    const collective = endpoint.connect({
      algorithm: w.collectiveAlgorithm as 'ring' | 'star' | 'local',
      rank,
      worldSize: w.worldSize,
      peerAddresses: w.ringAddresses,
      chunkBytes: w.chunkBytes,
      timeoutMs: w.collectiveTimeoutMs,
      generation: w.generation,
      // train.gradWire: 'bf16' halves the ring's bytes; the step's counts after the gradient stay float32
      wire: cfg.train.gradWire,
      exactTail: GRADIENT_STATS,
      // ring messages are tagged with a key only this job's workers can derive: strangers' are dropped
      key: collectiveKey(opts.token, opts.jobId),
    });
    ring = collective;
    const built = new ReplicaService(buildReplica(cfg, registry, tokenizer), tokenizer, collective, { ema: cfg.train.ema });
    step = w.restoreDir ? built.restore(w.restoreDir).step : 0;
    return built;
  };
  // The reader notes every message at once (liveness), answers control messages, and queues work.
  const inbox = new AsyncQueue<DecodedMessage>();
  const reader = (async () => {
    try {
      for await (const frames of socket) {
        lastHeard = Date.now();
        const msg = decodeMessage(frames);
        const env = msg.envelope;
        if (env.body === 'heartbeat') continue;
        if (env.body === 'refused') stop(`refused by the coordinator: ${printable(env.refused.reason, 400)}`);
        else if (env.body === 'shutdown') {
          log.debug(`shutdown: ${env.shutdown.reason}`);
          if (env.shutdown.reason === SHUTDOWN_REGROUP) process.exitCode = EXIT_REGROUP;
          else if (opts.failUnlessDone && env.shutdown.reason !== SHUTDOWN_DONE) process.exitCode = EXIT_STOPPED_EARLY;
          stopping = true;
          socket.close();
          // a step blocked in the ring on a dead peer would otherwise hold us until the collective
          // times out (60 s), and with us the regroup of every rank: closing it fails that step now
          void ring?.close();
        } else inbox.push(msg);
      }
    } catch (err) {
      if (!stopping) throw err;
    } finally {
      inbox.close();
    }
  })();
  try {
    for await (const msg of inbox) {
      const env = msg.envelope;
      if (env.body === 'welcome') {
        service = welcome(env.welcome);
        await sendFrames(readyMessage(service, step));
        continue;
      }
      const served = service ? await serveRequest(service, msg) : undefined;
      if (!served) {
        log.warn(`ignoring unexpected ${env.body} message${service ? '' : ' before welcome'}`);
        continue;
      }
      step = served.step ?? step;
      await sendFrames(served.reply);
    }
    await reader;
  } catch (err) {
    if (!stopping) {
      const e = err as Error;
      log.error(e instanceof RewardkitError ? e.message : (e.stack ?? e.message));
      await send({
        body: 'error',
        error: { code: e instanceof RewardkitError ? e.code : 'E_INTERNAL', message: e.message, step },
      }).catch(() => undefined);
      process.exitCode = 1;
    }
  } finally {
    clearInterval(watchdog);
    await service?.close();
    endpoint.close();
    if (!socket.closed) socket.close();
    process.stdin.pause();
  }
}
