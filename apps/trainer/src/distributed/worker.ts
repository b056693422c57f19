/**
 * A worker process: one replica of the model. It says hello to the coordinator, learns its rank
 * and the ring, then serves the coordinator's requests one at a time: a shard of every global
 * batch (gradients, all-reduce over the ring, AdamW), held-out scoring, checkpoints and the
 * final export (rank 0). It exits when told to, when refused, or when the coordinator is gone.
 */
import os from 'node:os';
import * as zmq from 'zeromq';
import { initBackend } from '@rewardkit/backend';
import { bindCollective, type Collective } from '@rewardkit/collective';
import { createLogger, parseRunConfig, RewardkitError } from '@rewardkit/core';
import { exportModelDir, readCheckpoint, scorePairs, writeCheckpoint, type Replica } from '@rewardkit/engine';
import {
  decodeMessage,
  decodeScoreRequest,
  type DecodedMessage,
  decodeShard,
  encodeMessage,
  encodeScores,
  PROTOCOL_VERSION,
  type EnvelopeInput,
  type Welcome,
} from '@rewardkit/proto';
import { buildTokenizer, createShippedRegistry } from '@rewardkit/runtime';
import { buildReplica } from '@rewardkit/training';
import { AsyncQueue } from './async-queue';
import { COORDINATOR_SILENCE_MS, ENV, HEARTBEAT_INTERVAL_MS } from './worker-env';

export interface WorkerOptions {
  /** The coordinator's address, e.g. tcp://127.0.0.1:5555. */
  readonly connect: string;
  readonly token: string;
  readonly jobId: string;
  readonly workerId: string;
  /** Host for this worker's collective socket; peers must be able to reach it. */
  readonly collectiveHost: string;
}

export async function runWorker(opts: WorkerOptions): Promise<void> {
  let log = createLogger(opts.workerId);
  const socket = new zmq.Dealer({ routingId: opts.workerId, linger: 1000 });
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
  const watchdog = setInterval(() => {
    if (Date.now() - lastHeard > COORDINATOR_SILENCE_MS) stop(`no word from the coordinator for ${COORDINATOR_SILENCE_MS / 1000}s: exiting`);
    else void send({ body: 'heartbeat', heartbeat: { rank, sentAtMs: Date.now(), step } }).catch(() => undefined);
  }, HEARTBEAT_INTERVAL_MS);

  let replica: Replica | undefined;
  let collective: Collective | undefined;
  let tokenizer: ReturnType<typeof buildTokenizer> | undefined;
  const sendReady = () => send({ body: 'ready', ready: { rank, parameters: replica!.layout.size, backend: backend.name, step } });
  // The reader notes every message at once (liveness), answers control messages, and queues work.
  const inbox = new AsyncQueue<DecodedMessage>();
  const reader = (async () => {
    try {
      for await (const frames of socket) {
        lastHeard = Date.now();
        const msg = decodeMessage(frames);
        const env = msg.envelope;
        if (env.body === 'heartbeat') continue;
        if (env.body === 'refused') stop(`refused by the coordinator: ${env.refused.reason}`);
        else if (env.body === 'shutdown') {
          log.debug(`shutdown: ${env.shutdown.reason}`);
          stopping = true;
          socket.close();
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
      switch (env.body) {
        case 'welcome': {
          const w: Welcome = env.welcome;
          rank = w.rank;
          log = createLogger(`rank ${rank}`);
          const cfg = parseRunConfig(JSON.parse(w.runConfigJson), 'run config from the coordinator');
          const registry = createShippedRegistry(cfg.plugins);
          tokenizer = buildTokenizer(cfg, registry);
          replica = buildReplica(cfg, registry, tokenizer);
          step = w.startStep;
          if (w.restoreDir) step = readCheckpoint(w.restoreDir, replica).step;
          collective = endpoint.connect({
            algorithm: w.collectiveAlgorithm as 'ring' | 'star' | 'local',
            rank,
            worldSize: w.worldSize,
            peerAddresses: w.ringAddresses,
            chunkBytes: w.chunkBytes,
            timeoutMs: w.collectiveTimeoutMs,
            generation: w.generation,
          });
          await sendReady();
          break;
        }
        case 'shard': {
          const { shard, batch, margins } = decodeShard(msg);
          const t0 = performance.now();
          const grads = replica!.computeGradients(batch, margins, shard.step);
          const t1 = performance.now();
          await collective!.allReduce(grads);
          const t2 = performance.now();
          const out = replica!.applyUpdate(grads, shard.learningRate);
          step = shard.step;
          await send({
            body: 'stepResult',
            stepResult: {
              step,
              rank,
              lossSum: out.loss * out.pairs,
              correct: out.accuracy * out.pairs,
              pairs: out.pairs,
              gradNorm: out.gradNorm,
              tokens: realTokens(batch.lengths),
              computeMs: t1 - t0 + (performance.now() - t2),
              allreduceMs: t2 - t1,
            },
          });
          break;
        }
        case 'score': {
          const { request, pairs } = decodeScoreRequest(msg);
          const rewards = scorePairs(replica!.model, pairs, tokenizer!.padId);
          await sendFrames(encodeScores({ requestId: request.requestId, rank, pairs: pairs.length }, rewards));
          break;
        }
        case 'restore': {
          const { restore } = env;
          step = readCheckpoint(restore.dir, replica!).step;
          await sendReady();
          break;
        }
        case 'checkpoint': {
          const { checkpoint } = env;
          const state = JSON.parse(checkpoint.stateJson);
          try {
            const dir = writeCheckpoint(checkpoint.dir, replica!, { step: checkpoint.step, sampler: state.sampler, meta: state.meta });
            await send({ body: 'checkpointDone', checkpointDone: { step: checkpoint.step, dir, ok: true, error: '' } });
          } catch (err) {
            await send({ body: 'checkpointDone', checkpointDone: { step: checkpoint.step, dir: checkpoint.dir, ok: false, error: (err as Error).message } });
          }
          break;
        }
        case 'exportModel': {
          const { exportModel } = env;
          const ref = JSON.parse(exportModel.modelJson);
          exportModelDir(exportModel.dir, replica!.model, tokenizer!, ref, JSON.parse(exportModel.infoJson));
          await send({ body: 'exportDone', exportDone: { dir: exportModel.dir } });
          break;
        }
        default:
          log.warn(`ignoring unexpected ${env.body} message`);
      }
    }
    await reader;
  } catch (err) {
    if (!stopping) {
      const e = err as Error;
      log.error(e instanceof RewardkitError ? e.message : (e.stack ?? e.message));
      await send({
        body: 'error',
        error: { rank, code: e instanceof RewardkitError ? e.code : 'E_INTERNAL', message: e.message, step },
      }).catch(() => undefined);
      process.exitCode = 1;
    }
  } finally {
    clearInterval(watchdog);
    await collective?.close();
    endpoint.close();
    replica?.model.dispose();
    if (!socket.closed) socket.close();
    process.stdin.pause();
  }
}

function realTokens(lengths: Int32Array): number {
  let n = 0;
  for (const l of lengths) n += l;
  return n;
}
