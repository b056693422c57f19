import fs from 'node:fs';
import path from 'node:path';
import { initBackend, useComputePrecision } from '@rewardkit/backend';
import { ConfigError, createLogger, pairLength, pairTokens, parsePluginConfig, unitSequences, type EncodedUnit, type EvalReport, type RunConfig } from '@rewardkit/core';
import { BatchSampler, checkpointDir, latestCheckpoint, learningRate, pruneCheckpoints, shardByTokens, type Replica } from '@rewardkit/engine';
import { buildTokenizer, checkEvaluators, createShippedRegistry, pairScoresOf, prepareDataset, runEvaluators } from '@rewardkit/runtime';
import { buildReplica } from '@rewardkit/training';
import { EarlyStop } from './early-stop';
import { flattenFigures, topLevelFigures } from './flatten-figures';
import { heldOutLoss } from './held-out-loss';
import { InProcessGroup } from './in-process-group';
import { MetricsLog } from './metrics-log';
import { prepareRunDir, recordedConfig } from './run-dir';
import { Progress } from './progress';
import { Recovery } from './recovery';
import { trainingLength, withSteps } from './training-length';
import { autoWorkerCount, checkWorkerCount, type LocalDevices } from './worker-count';
import type { WorkerGroup } from './worker-group';

const log = createLogger('trainer');

/** What the N-worker launcher gets beside the run config. */
export interface SpawnContext {
  readonly padId: number;
  readonly modelRef: { name: string; config: unknown };
  /** The worker count was chosen by `autoWorkers`, not asked for. */
  readonly automatic?: boolean;
}

export interface TrainOptions {
  /** Continue from the newest checkpoint in `cfg.out` (its config must match but for the step count). */
  readonly resume?: boolean;
  /** Replace a run already in `cfg.out` (without it, such a directory is refused). */
  readonly overwrite?: boolean;
  /** Builds the N-worker group (the distributed launcher); world size 1 runs in-process. */
  readonly spawnWorkers?: (cfg: RunConfig, ctx: SpawnContext) => Promise<WorkerGroup>;
  /** Set by the SIGINT handler: finish the current step, checkpoint, stop. */
  readonly shouldStop?: () => boolean;
  /**
   * No worker count was given (`launch` without --gpus): choose `cfg.gpus` for these devices
   * (worker-count.ts autoWorkerCount), or, when resuming, take the count the run recorded.
   */
  readonly autoWorkers?: { readonly devices: LocalDevices; readonly oversubscribe?: boolean };
}

export interface TrainResult {
  readonly runDir: string;
  readonly finalDir: string;
  /** Steps trained. */
  readonly steps: number;
  /** Step of the exported model: `steps`, or early stopping's best. */
  readonly exportedStep?: number;
  /** Held-out figures of the exported model, nested ones as `a.b.c` keys. */
  readonly eval?: Record<string, number>;
  /** The exported model's evaluation report, as the evaluators returned it (also final/eval-report.json). */
  readonly report?: EvalReport;
}

/** One held-out evaluation: the evaluators' report and its numbers, flattened, with the held-out loss. */
interface HeldOut {
  readonly step: number;
  readonly report: EvalReport;
  readonly figures: Record<string, number>;
}

/**
 * The training loop, top to bottom: prepare data, build the replicas, then for each step
 * sample a global batch, shard it, step every replica, log, evaluate and checkpoint on schedule.
 */
export async function train(input: RunConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  if (!input.data.train) throw new ConfigError('data.train is required: the file of training pairs');
  const runDir = path.resolve(input.out);

  // --- data: load, validate and tokenize once, in the coordinator
  const registry = createShippedRegistry(input.plugins);
  const tokenizer = buildTokenizer(input, registry);
  const dataOpts = { loader: input.data.loader, skipInvalid: input.data.skipInvalid, maxLength: input.data.maxLength };
  const trainSet = await prepareDataset(input.data.train, registry, tokenizer, dataOpts);
  const evalSet = input.data.eval ? await prepareDataset(input.data.eval, registry, tokenizer, dataOpts) : undefined;
  if (input.train.earlyStop && (!evalSet || input.evalEvery === 0)) {
    throw new ConfigError('train.earlyStop needs held-out evaluations: a held-out file (data.eval, --eval) and evalEvery > 0 (--eval-every)');
  }
  // --- length: --steps, else epochs over this data; derived once, recorded in config.json, kept by --resume
  const recorded = opts.resume ? recordedConfig(runDir) : undefined;
  const length = trainingLength(input.train, trainSet.units.length, recorded?.train);
  let cfg = withSteps(input, length.steps);

  // --- replicas: in this process (1) or N worker processes
  // the export records the model's full config (defaults filled), so later defaults cannot change it
  const modelRef = { name: cfg.model.name, config: parsePluginConfig(registry.get('model', cfg.model.name), cfg.model.config) };
  parsePluginConfig(registry.get('loss', cfg.loss.name), cfg.loss.config);
  checkEvaluators(registry, cfg.evaluators);
  /** The replica of a one-process run, on this process's backend. */
  const localReplica = async (): Promise<LocalReplica> => {
    const backend = await initBackend({ prefer: cfg.backend, gpu: true, logger: log });
    const precision = useComputePrecision(cfg.train.precision); // f16: refused unless webgpu has shader-f16
    if (precision) log.info(precision);
    return { replica: buildReplica(cfg, registry, tokenizer), backend: backend.name };
  };
  let local: LocalReplica | undefined;
  if (opts.autoWorkers && opts.spawnWorkers) {
    const chosen = await chooseWorkerCount(cfg, opts.autoWorkers, recorded?.gpus, localReplica);
    cfg = { ...cfg, gpus: chosen.workers };
    local = chosen.local;
  }
  // only now, with everything validated, claim the run directory
  prepareRunDir(runDir, cfg, { resume: opts.resume, overwrite: opts.overwrite });
  let group: WorkerGroup;
  if (cfg.gpus > 1 && opts.spawnWorkers) {
    group = await opts.spawnWorkers(cfg, { padId: tokenizer.padId, modelRef, automatic: opts.autoWorkers !== undefined });
  } else {
    local ??= await localReplica();
    group = new InProcessGroup(local.replica, tokenizer, modelRef, local.backend, { ema: cfg.train.ema });
  }
  const metrics = new MetricsLog(runDir);
  const sampler = new BatchSampler({
    size: trainSet.units.length,
    batchSize: cfg.train.batchSize,
    seed: cfg.train.seed,
    lengths: trainSet.units.map(pairLength),
  });
  const meta = { backend: group.backend, workers: group.size, model: cfg.model.name, loss: cfg.loss.name };
  // early stopping's bookkeeping travels in each checkpoint, so --resume and recovery continue it
  const earlyStop = cfg.train.earlyStop ? new EarlyStop(cfg.train.earlyStop) : undefined;
  let step = 0;
  let progress: Progress | undefined;
  let lastEval: HeldOut | undefined;
  let lastCheckpoint = -1;
  try {
    if (opts.resume) {
      const dir = latestCheckpoint(runDir);
      if (dir) {
        const state = await group.restore(dir);
        sampler.restore(state.sampler);
        earlyStop?.restore(state.meta.earlyStop);
        step = state.step;
        log.info(`resumed from ${dir} at step ${step}`);
      } else {
        log.warn(`--resume: no checkpoint in ${runDir}; starting from step 0`);
      }
    }
    log.info(
      `training ${cfg.model.name} with ${cfg.loss.name} on ${trainSet.units.length} ${trainSet.units.length === trainSet.pairs.length ? 'pairs' : 'records'}: ${cfg.train.steps} steps x ` +
        `${cfg.train.batchSize} pairs, ${group.size} worker(s) on ${group.backend}`,
    );
    log.info(`length: ${length.reason}`);
    /** Scores the held-out set and runs the evaluators on it (no logging: see `evaluateAndLog`). */
    const evaluate = async (at: number): Promise<HeldOut | undefined> => {
      if (!evalSet) return undefined;
      const scores = await group.score(evalSet.encoded);
      const report = runEvaluators(registry, cfg.evaluators, pairScoresOf(evalSet, scores, trainSet.pairs));
      return { step: at, report, figures: { ...flattenFigures(report), eval_loss: heldOutLoss(scores.chosen, scores.rejected) } };
    };
    /** An evaluation on schedule: every figure to metrics.jsonl; true when early stopping wants its checkpoint kept. */
    const evaluateAndLog = async (at: number): Promise<boolean> => {
      const held = await evaluate(at);
      if (!held) return false;
      lastEval = held;
      metrics.write({ kind: 'eval', step: at, ...held.figures });
      const verdict = earlyStop?.observe(at, held.figures);
      const best = earlyStop ? `; best ${earlyStop.cfg.metric} ${earlyStop.state.best?.toFixed(4)} at step ${earlyStop.bestStep}` : '';
      log.info(`step ${at}: held-out accuracy ${held.figures.accuracy?.toFixed(4)} on ${held.figures.n} pairs, loss ${held.figures.eval_loss.toFixed(4)}${best}`);
      return verdict?.improved ?? false;
    };
    const checkpoint = async (at: number) => {
      const state = { step: at, sampler: sampler.state(), meta: { ...meta, ...(earlyStop ? { earlyStop: earlyStop.state } : {}) } };
      const dir = await group.checkpoint(runDir, state);
      lastCheckpoint = at;
      // early stopping's best checkpoint is kept however old it gets
      const best = earlyStop?.bestStep;
      pruneCheckpoints(runDir, cfg.keepCheckpoints, best !== undefined ? [checkpointDir(runDir, best)] : []);
      log.debug(`checkpoint ${dir}`);
    };

    // a lost worker puts the loop back at the newest checkpoint; the steps since are replayed
    const recovery = new Recovery(group, runDir, (state, reason) => {
      sampler.restore(state?.sampler ?? { epoch: 0, cursor: 0 });
      earlyStop?.restore(state?.meta.earlyStop);
      step = state?.step ?? 0;
      metrics.write({ kind: 'recovery', step, reason });
    });
    progress = new Progress(cfg.train.steps, step);
    const padding = { real: 0, padded: 0 };
    while (step < cfg.train.steps && !opts.shouldStop?.() && !earlyStop?.stopped) {
      await recovery.run(async () => {
        step++;
        // one global batch, split across workers by token count
        const batch = sampler.next().map((i) => trainSet.units[i]);
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
          // f16: the loss scale, and a skipped step said as such (its grad_norm is NaN: null in JSON)
          ...(out.lossScale !== undefined ? { loss_scale: out.lossScale, skipped: out.skipped === true } : {}),
          pairs_per_sec: out.pairs / seconds,
          tokens_per_sec: tokens / seconds,
          padding: 1 - tokens / padded,
          ...(out.computeMs !== undefined ? { compute_ms: out.computeMs, allreduce_ms: out.allreduceMs } : {}),
        });
        progress?.update({ step, loss: out.loss, accuracy: out.accuracy, pairsPerSec: out.pairs / seconds });
        const evalDue = cfg.evalEvery > 0 && step % cfg.evalEvery === 0 && step < cfg.train.steps;
        const keepBest = evalDue && (await evaluateAndLog(step));
        if (keepBest || (cfg.checkpointEvery > 0 && step % cfg.checkpointEvery === 0)) await checkpoint(step);
      });
    }
    progress.stop();
    progress = undefined;
    if (padding.padded > 0) {
      log.info(`padding: ${(100 * (1 - padding.real / padding.padded)).toFixed(1)}% of the token positions computed (batches bucketed by length)`);
    }
    const stoppedEarly = earlyStop?.stopped === true && step < cfg.train.steps;
    if (step < cfg.train.steps && !stoppedEarly) {
      await checkpoint(step);
      log.warn(`stopped at step ${step} of ${cfg.train.steps}; continue with --resume --out ${cfg.out}`);
      return { runDir, finalDir: '', steps: step };
    }
    // the final evaluation (an early stop has just evaluated this step), then the final checkpoint
    if (lastEval?.step !== step) await evaluateAndLog(step);
    if (lastCheckpoint !== step) await checkpoint(step);
    // with early stopping, the best evaluation's checkpoint is the model; its figures are measured again
    let exported = lastEval;
    let selected: string | undefined;
    if (earlyStop?.bestStep !== undefined) {
      selected = earlyStop.describe(step, stoppedEarly);
      if (earlyStop.bestStep !== step) {
        await group.restore(checkpointDir(runDir, earlyStop.bestStep));
        exported = await evaluate(earlyStop.bestStep);
      }
      const { best, bestStep, evaluations } = earlyStop.state;
      metrics.write({ kind: 'early_stop', step, stopped_early: stoppedEarly, metric: earlyStop.cfg.metric, best, best_step: bestStep, evaluations });
      log.info(`exporting ${selected}`);
    }
    const exportedStep = exported?.step ?? step;
    const finalDir = path.join(runDir, 'final');
    const summary = exported && topLevelFigures(exported.figures);
    await group.exportModel(finalDir, {
      ...meta,
      steps: exportedStep,
      ...(selected ? { selected, trainedSteps: step } : {}),
      maxLength: cfg.data.maxLength,
      ...(cfg.train.ema ? { weights: `moving average, decay ${cfg.train.ema}` } : {}),
      eval: summary,
      trainedOn: trainSet.file,
    });
    // the whole report (tables, strings and all), as the evaluators returned it, beside the model
    if (exported) fs.writeFileSync(path.join(finalDir, 'eval-report.json'), JSON.stringify(exported.report, null, 2) + '\n');
    log.info(`exported the model${selected ? ` of step ${exportedStep}` : ''} to ${finalDir}`);
    return { runDir, finalDir, steps: step, exportedStep, eval: exported?.figures, report: exported?.report };
  } finally {
    progress?.stop();
    metrics.close();
    await group.close();
  }
}

/** Token positions a shard computes once padded to its longest row (both sequences of each pair). */
function paddedTokens(units: readonly EncodedUnit[]): number {
  let [width, rows] = [0, 0];
  for (const u of units) for (const s of unitSequences(u).seqs) [width, rows] = [Math.max(width, s.length), rows + 1];
  return rows * width;
}

interface LocalReplica {
  readonly replica: Replica;
  readonly backend: string;
}

/**
 * `cfg.gpus` for a run launched without one: the count a resumed run recorded (checked against
 * this machine), else `autoWorkerCount`'s. Without a GPU that needs the step's cost, which the
 * replica this process would train with counts; it is handed back when the choice is one worker.
 */
async function chooseWorkerCount(
  cfg: RunConfig,
  auto: NonNullable<TrainOptions['autoWorkers']>,
  recorded: unknown,
  localReplica: () => Promise<LocalReplica>,
): Promise<{ workers: number; local?: LocalReplica }> {
  if (typeof recorded === 'number') {
    // chosen for the machine the run started on: this one may have fewer cores
    try {
      checkWorkerCount(recorded, auto.devices, auto.oversubscribe);
    } catch (err) {
      throw new ConfigError(`--resume: the run recorded ${recorded} workers (counted on the machine it started on): ${(err as Error).message}`);
    }
    log.info(`${recorded} worker process(es), as the run recorded${auto.devices.gpus === 0 && recorded > 1 ? ' (on the CPU: no GPU here)' : ''}`);
    return { workers: recorded };
  }
  const local = auto.devices.gpus === 0 ? await localReplica() : undefined;
  const tokens = 2 * cfg.train.batchSize * cfg.data.maxLength;
  const gflop = local ? (3 * local.replica.model.flopsPerToken(cfg.data.maxLength) * tokens) / 1e9 : undefined;
  const choice = autoWorkerCount(auto.devices, { pairs: cfg.train.batchSize, gflop });
  log.info(`${choice.workers} worker process(es), chosen automatically: ${choice.reason} (--gpus=N chooses)`);
  if (choice.workers === 1 || !local) return { workers: choice.workers, local };
  local.replica.dispose();
  local.replica.model.dispose();
  return { workers: choice.workers };
}
