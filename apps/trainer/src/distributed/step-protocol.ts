/**
 * The requests a coordinator sends its workers and the replies, written once for both ends: the
 * coordinator encodes requests and decodes replies, a worker decodes a request, hands it to its
 * ReplicaService and encodes what the service returns. Loss and accuracy flow one way: the replica
 * computes them over the global batch (the all-reduce summed the stats), they travel as they are,
 * and the coordinator reports rank 0's unchanged.
 */
import { packUnits, type EncodedPair, type EncodedUnit } from '@rewardkit/core';
import type { ModelRef, PairRewards, ReplicaService, StepOutcome } from '@rewardkit/engine';
import {
  decodeScoreRequest,
  decodeScores,
  decodeShard,
  encodeMessage,
  encodeScoreRequest,
  encodeScores,
  encodeShard,
  ProtocolError,
  type DecodedMessage,
  type StepResult,
} from '@rewardkit/proto';

// --- coordinator side

/** One Shard message per rank: rank r gets `shards[r]` (whole units), as is. */
export function encodeStepRequests(step: number, shards: readonly (readonly EncodedUnit[])[], lr: number, padId: number): Buffer[][] {
  return shards.map((units) => {
    const data = packUnits(units, padId);
    return encodeShard({ step, units: units.length, rows: data.batch.rows, width: data.batch.width, learningRate: lr }, data);
  });
}

export function outcomeOf(reply: DecodedMessage): StepOutcome {
  const env = reply.envelope;
  if (env.body !== 'stepResult') throw new ProtocolError(`expected a stepResult, got ${env.body}`);
  const { loss, accuracy, pairs, count, gradNorm, computeMs, allreduceMs, skipped, lossScale } = env.stepResult;
  // f16 fields only where loss scaling ran (0: none), as a replica in this process reports them
  return { loss, accuracy, pairs, count, gradNorm, computeMs, allreduceMs, ...(lossScale > 0 ? { skipped, lossScale } : {}) };
}

/**
 * Held-out pairs in `size` contiguous slices (rank r scores slice r), and the rewards put back in
 * order. A slice never cuts through pairs that share a sequence (a ranking's pairs share its
 * responses), so each response is scored once on one rank; pair records cut anywhere.
 */
export function scoreSlices(pairs: readonly EncodedPair[], size: number): EncodedPair[][] {
  const last = new Map<Int32Array, number>(); // the last pair each sequence appears in
  pairs.forEach((p, i) => [p.chosen, p.rejected].forEach((s) => last.set(s, i)));
  const per = Math.ceil(pairs.length / size);
  const slices: EncodedPair[][] = Array.from({ length: size }, () => []);
  let [rank, reach] = [0, -1];
  pairs.forEach((p, i) => {
    if (i > reach && slices[rank].length >= per && rank < size - 1) rank++; // a cut no shared sequence crosses
    slices[rank].push(p);
    reach = Math.max(reach, last.get(p.chosen)!, last.get(p.rejected)!);
  });
  return slices;
}

export function mergeScores(total: number, replies: readonly DecodedMessage[]): PairRewards {
  const chosen = new Float64Array(total);
  const rejected = new Float64Array(total);
  let at = 0;
  for (const reply of replies) {
    const rewards = decodeScores(reply);
    chosen.set(rewards.chosen, at);
    rejected.set(rewards.rejected, at);
    at += rewards.chosen.length;
  }
  return { chosen, rejected };
}

// --- worker side

export interface Served {
  /** The reply's frames. */
  readonly reply: Buffer[];
  /** The step the replica's state holds afterwards, when the request changed it. */
  readonly step?: number;
}

/**
 * Answers one request with the service. Welcome, heartbeats and shutdown are the worker's own
 * business and never reach here; an unknown request returns undefined.
 */
export async function serveRequest(service: ReplicaService, msg: DecodedMessage): Promise<Served | undefined> {
  const env = msg.envelope;
  const rank = service.rank;
  switch (env.body) {
    case 'shard': {
      const { shard, ...units } = decodeShard(msg);
      const out = await service.step({ step: shard.step, lr: shard.learningRate, units });
      const result: StepResult = {
        step: shard.step,
        loss: out.loss,
        accuracy: out.accuracy,
        pairs: out.pairs,
        count: out.count,
        gradNorm: out.gradNorm,
        computeMs: out.computeMs ?? 0,
        allreduceMs: out.allreduceMs ?? 0,
        skipped: out.skipped ?? false,
        lossScale: out.lossScale ?? 0,
      };
      return { reply: encodeMessage({ body: 'stepResult', stepResult: result }), step: shard.step };
    }
    case 'score': {
      const { request, pairs } = decodeScoreRequest(msg);
      return { reply: encodeScores({ requestId: request.requestId, rank, pairs: pairs.length }, await service.score(pairs)) };
    }
    case 'restore': {
      const { step } = service.restore(env.restore.dir);
      return { reply: readyMessage(service, step), step };
    }
    case 'checkpoint': {
      const { step, dir: runDir, stateJson } = env.checkpoint;
      const state = JSON.parse(stateJson) as { sampler: { epoch: number; cursor: number }; meta: Record<string, unknown> };
      try {
        const dir = await service.checkpoint(runDir, { step, sampler: state.sampler, meta: state.meta });
        return { reply: encodeMessage({ body: 'checkpointDone', checkpointDone: { step, dir, ok: true, error: '' } }) };
      } catch (err) {
        return { reply: encodeMessage({ body: 'checkpointDone', checkpointDone: { step, dir: runDir, ok: false, error: (err as Error).message } }) };
      }
    }
    case 'exportModel': {
      const { dir, modelJson, infoJson } = env.exportModel;
      await service.exportModel(dir, JSON.parse(modelJson) as ModelRef, JSON.parse(infoJson) as Record<string, unknown>);
      return { reply: encodeMessage({ body: 'exportDone', exportDone: { dir } }) };
    }
    default:
      return undefined;
  }
}

/** The answer to a Welcome or a Restore: replica built (or reloaded), ring connected. */
export function readyMessage(service: ReplicaService, step: number): Buffer[] {
  return encodeMessage({ body: 'ready', ready: { rank: service.rank, parameters: service.parameters, step } });
}

/** Frames of a score request for one rank's slice. */
export function encodeScoreSlice(requestId: number, pairs: readonly EncodedPair[]): Buffer[] {
  return encodeScoreRequest({ requestId, pairs: pairs.length }, pairs);
}
