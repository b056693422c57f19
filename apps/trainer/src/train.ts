import path from 'node:path';
import { initBackend } from '@rewardkit/backend';
import { ConfigError, createLogger, pairLength, pairTokens, parsePluginConfig, type EncodedPair, type RunConfig } from '@rewardkit/core';
import { BatchSampler, latestCheckpoint, learningRate, pruneCheckpoints, shardByTokens } from '@rewardkit/engine';
import { buildTokenizer, createShippedRegistry, numericPart, prepareDataset, runEvaluators } from '@rewardkit/runtime';
import { buildReplica } from '@rewardkit/training';
import { InProcessGroup } from './in-process-group';
import { MetricsLog } from './metrics-log';
import { prepareRunDir } from './run-dir';
import { Progress } from './progress';
import { Recovery } from './recovery';
import type { WorkerGroup } from './worker-group';

const log = createLogger('trainer');

export interface TrainOptions {
  /** Continue from the newest checkpoint in `cfg.out` (its config must match but for the step count). */
  readonly resume?: boolean;
  /** Replace a run already in `cfg.out` (without it, such a directory is refused). */
  readonly overwrite?: boolean;
  /** Builds the N-worker group (the distributed launcher); world size 1 runs in-process. */
  readonly spawnWorkers?: (cfg: RunConfig, ctx: { padId: number; modelRef: { name: string; config: unknown } }) => Promise<WorkerGroup>;
  /** Set by the SIGINT handler: finish the current step, checkpoint, stop. */
  readonly shouldStop?: () => boolean;
}

export interface TrainResult {
  readonly runDir: string;
  readonly finalDir: string;
  readonly steps: number;
  readonly eval?: Record<string, number>;
}

/**
 * The training loop, top to bottom: prepare data, build the replicas, then for each step
 * sample a global batch, shard it, step every replica, log, evaluate and checkpoint on schedule.
 */
export async function train(cfg: RunConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  if (!cfg.data.train) throw new ConfigError('data.train is required: the file of training pairs');
  const runDir = path.resolve(cfg.out);

  // --- data: load, validate and tokenize once, in the coordinator
  const registry = createShippedRegistry(cfg.plugins);
  const tokenizer = buildTokenizer(cfg, registry);
  const dataOpts = { loader: cfg.data.loader, skipInvalid: cfg.data.skipInvalid, maxLength: cfg.data.maxLength };
  const trainSet = await prepareDataset(cfg.data.train, registry, tokenizer, dataOpts);
  const evalSet = cfg.data.eval ? await prepareDataset(cfg.data.eval, registry, tokenizer, dataOpts) : undefined;

  // --- replicas: in this process (1) or N worker processes
  // the export records the model's full config (defaults filled), so later defaults cannot change it
  const modelRef = { name: cfg.model.name, config: parsePluginConfig(registry.get('model', cfg.model.name), cfg.model.config) };
  parsePluginConfig(registry.get('loss', cfg.loss.name), cfg.loss.config);
  for (const name of cfg.evaluators) registry.get('eval', name);
  // only now, with everything validated, claim the run directory
  prepareRunDir(runDir, cfg, { resume: opts.resume, overwrite: opts.overwrite });
  let group: WorkerGroup;
  if (cfg.gpus > 1 && opts.spawnWorkers) {
    group = await opts.spawnWorkers(cfg, { padId: tokenizer.padId, modelRef });
  } else {
    const backend = await initBackend({ prefer: cfg.backend, gpu: true, logger: log });
    group = new InProcessGroup(buildReplica(cfg, registry, tokenizer), tokenizer, modelRef, backend.name);
  }
  const metrics = new MetricsLog(runDir);
  const sampler = new BatchSampler({
    size: trainSet.encoded.length,
    batchSize: cfg.train.batchSize,
    seed: cfg.train.seed,
    lengths: trainSet.encoded.map(pairLength),
  });
  const meta = { backend: group.backend, workers: group.size, model: cfg.model.name, loss: cfg.loss.name };
  let step = 0;
  let progress: Progress | undefined;
  let lastEval: Record<string, number> | undefined;
  try {
    if (opts.resume) {
      const dir = latestCheckpoint(runDir);
      if (dir) {
        const state = await group.restore(dir);
        sampler.restore(state.sampler);
        step = state.step;
        log.info(`resumed from ${dir} at step ${step}`);
      } else {
        log.warn(`--resume: no checkpoint in ${runDir}; starting from step 0`);
      }
    }
    log.info(
      `training ${cfg.model.name} with ${cfg.loss.name} on ${trainSet.encoded.length} pairs: ${cfg.train.steps} steps x ` +
        `${cfg.train.batchSize} pairs, ${group.size} worker(s) on ${group.backend}`,
    );
    const evaluate = async (at: number) => {
      if (!evalSet) return;
      const scores = await group.score(evalSet.encoded);
      lastEval = numericPart(runEvaluators(registry, cfg.evaluators, { ...scores, pairs: evalSet.pairs }));
      metrics.write({ kind: 'eval', step: at, ...lastEval });
      log.info(`step ${at}: held-out accuracy ${lastEval.accuracy?.toFixed(4)} on ${lastEval.n} pairs`);
    };
    const checkpoint = async (at: number) => {
      const dir = await group.checkpoint(runDir, { step: at, sampler: sampler.state(), meta });
      pruneCheckpoints(runDir, cfg.keepCheckpoints);
      log.debug(`checkpoint ${dir}`);
    };

    // a lost worker puts the loop back at the newest checkpoint; the steps since are replayed
    const recovery = new Recovery(group, runDir, (state, reason) => {
      sampler.restore(state?.sampler ?? { epoch: 0, cursor: 0 });
      step = state?.step ?? 0;
      metrics.write({ kind: 'recovery', step, reason });
    });
    progress = new Progress(cfg.train.steps, step);
    const padding = { real: 0, padded: 0 };
    while (step < cfg.train.steps && !opts.shouldStop?.()) {
      await recovery.run(async () => {
        step++;
        // one global batch, split across workers by token count
        const batch = sampler.next().map((i) => trainSet.encoded[i]);
        const lr = learningRate(cfg.train, step);
        const t0 = performance.now();
        const shards = shardByTokens(batch, group.size);
        const out = await group.step(step, shards, lr);
        const seconds = (performance.now() - t0) / 1000;
        const tokens = pairTokens(batch);
        const padded = shards.reduce((n, s) => n + paddedTokens(s), 0);
        padding.real += tokens;
        padding.padded += padded;
        metrics.write({
          kind: 'train',
          step,
          loss: out.loss,
          accuracy: out.accuracy,
          lr,
          grad_norm: out.gradNorm,
          pairs_per_sec: out.pairs / seconds,
          tokens_per_sec: tokens / seconds,
          padding: 1 - tokens / padded,
          ...(out.computeMs !== undefined ? { compute_ms: out.computeMs, allreduce_ms: out.allreduceMs } : {}),
        });
        progress?.update({ step, loss: out.loss, accuracy: out.accuracy, pairsPerSec: out.pairs / seconds });
        if (cfg.evalEvery > 0 && step % cfg.evalEvery === 0 && step < cfg.train.steps) await evaluate(step);
        if (cfg.checkpointEvery > 0 && step % cfg.checkpointEvery === 0) await checkpoint(step);
      });
    }
    progress.stop();
    progress = undefined;
    if (padding.padded > 0) {
      log.info(`padding: ${(100 * (1 - padding.real / padding.padded)).toFixed(1)}% of the token positions computed (batches bucketed by length)`);
    }
    await checkpoint(step);
    if (step < cfg.train.steps) {
      log.warn(`stopped at step ${step} of ${cfg.train.steps}; continue with --resume --out ${cfg.out}`);
      return { runDir, finalDir: '', steps: step };
    }
    await evaluate(step);
    const finalDir = path.join(runDir, 'final');
    await group.exportModel(finalDir, { ...meta, steps: step, maxLength: cfg.data.maxLength, eval: lastEval, trainedOn: trainSet.file });
    log.info(`exported the model to ${finalDir}`);
    return { runDir, finalDir, steps: step, eval: lastEval };
  } finally {
    progress?.stop();
    metrics.close();
    await group.close();
  }
}

/** Token positions a shard computes once padded to its longest row (both sequences of each pair). */
function paddedTokens(pairs: readonly EncodedPair[]): number {
  let width = 0;
  for (const p of pairs) width = Math.max(width, p.chosen.length, p.rejected.length);
  return 2 * pairs.length * width;
}

