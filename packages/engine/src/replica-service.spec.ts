import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packUnits, type EncodedPair, type Tokenizer } from '@rewardkit/core';
import { randomPairs, useBackend } from '@rewardkit/testing';
import { BatchSampler } from './batch-sampler';
import { Replica } from './replica';
import { ReplicaService, type GradientReducer } from './replica-service';
import { shardByTokens } from './shard-by-tokens';
import { plainBradleyTerry, tinyModel } from './test-model.spec-helper';
import { maxRelDiff, sumAllReduce } from './parameter-store.spec-helper';

const VOCAB = 40;
const EOS = VOCAB - 1;
const cfg = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };
const tokenizer = { padId: EOS } as Tokenizer; // step, score and checkpoints read only padId

/** World size 1, counting the all-reduces it is asked for (there should be none). */
class CountingLocal implements GradientReducer {
  readonly rank = 0;
  readonly worldSize = 1;
  calls = 0;
  async allReduce(): Promise<void> {
    this.calls++;
  }
  async close(): Promise<void> {}
}

/** N in-memory ranks: allReduce resolves once every rank has contributed, with the sum. */
function memoryRanks(n: number): GradientReducer[] {
  const allReduce = sumAllReduce(n);
  return Array.from({ length: n }, (_, rank) => ({ rank, worldSize: n, close: async () => undefined, allReduce }));
}

const newService = (collective: GradientReducer) => new ReplicaService(new Replica(tinyModel(VOCAB), plainBradleyTerry, cfg), tokenizer, collective);
const request = (step: number, pairs: readonly EncodedPair[], lr: number) => ({ step, lr, units: packUnits(pairs, EOS) });


describe('ReplicaService', () => {
  useBackend('wasm');
  const pairs = randomPairs(24, VOCAB, EOS, 11);

  it("world size 1: the step is the replica's own trainStep, with no all-reduce at all", async () => {
    const local = new CountingLocal();
    const service = newService(local);
    const reference = new Replica(tinyModel(VOCAB), plainBradleyTerry, cfg); // same seed, same weights
    const sampler = new BatchSampler({ size: pairs.length, batchSize: 8, seed: 2 });
    for (let step = 1; step <= 4; step++) {
      const batch = sampler.next().map((i) => pairs[i]);
      const out = await service.step(request(step, batch, 0.05));
      const want = await reference.trainStep(packUnits(batch, EOS), { step, lr: 0.05 });
      expect(out.loss).toBe(want.loss);
      expect(out.accuracy).toBe(want.accuracy);
      expect(out.pairs).toBe(8);
    }
    expect(local.calls).toBe(0);
    expect(Array.from(service.replica.layout.read())).toEqual(Array.from(reference.layout.read()));
    reference.model.dispose();
    await service.close();
  });

  it('N services on shards reach what 1 service reaches on the whole batch, with the global loss on every rank', async () => {
    const one = newService(new CountingLocal());
    const many = memoryRanks(3).map(newService);
    const sampler = new BatchSampler({ size: pairs.length, batchSize: 8, seed: 5 });
    for (let step = 1; step <= 4; step++) {
      const batch = sampler.next().map((i) => pairs[i]);
      const want = await one.step(request(step, batch, 0.05));
      const shards = shardByTokens(batch, many.length);
      const outs = await Promise.all(many.map((s, r) => s.step(request(step, shards[r], 0.05))));
      for (const out of outs) {
        expect(out.pairs).toBe(8);
        expect(out.loss).toBeCloseTo(want.loss, 5);
      }
    }
    for (const s of many) expect(maxRelDiff(s.replica.layout.read(), one.replica.layout.read())).toBeLessThan(1e-5);
    await Promise.all([one, ...many].map((s) => s.close()));
  });

  it('restores a checkpoint it wrote: a fresh service scores exactly as the one that trained', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-service-'));
    try {
      const trained = newService(new CountingLocal());
      await trained.step(request(1, pairs.slice(0, 8), 0.1));
      const dir = await trained.checkpoint(runDir, { step: 1, sampler: { epoch: 0, cursor: 8 }, meta: {} });
      const fresh = new ReplicaService(new Replica(tinyModel(VOCAB, 4, 99), plainBradleyTerry, cfg), tokenizer, new CountingLocal());
      expect(fresh.restore(dir).sampler).toEqual({ epoch: 0, cursor: 8 });
      const a = await trained.score(pairs.slice(8, 16));
      const b = await fresh.score(pairs.slice(8, 16));
      expect(Array.from(b.chosen)).toEqual(Array.from(a.chosen));
      expect(Array.from(b.rejected)).toEqual(Array.from(a.rejected));
      await trained.close();
      await fresh.close();
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });
});
