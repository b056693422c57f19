import * as tf from '@tensorflow/tfjs-core';
import { packUnits, type EncodedPair, type ModelContext } from '@rewardkit/core';
import { Replica, scorePairs } from '@rewardkit/engine';
import { bradleyTerry } from '@rewardkit/loss-bradley-terry';
import { bagOfEmbeddings } from '@rewardkit/model-bag';
import { transformerModel } from '@rewardkit/model-transformer';
import { lcg, useBackend } from '@rewardkit/testing';

/**
 * A preference that only word order decides: both responses hold the same words, "not" in front
 * of "bad" (chosen: "not bad ... good") or in front of "good" (rejected: "not good ... bad").
 * A bag of words sees identical inputs, so it can only tie (0.5); a transformer can read order.
 */
const NOT = 1;
const GOOD = 2;
const BAD = 3;
const FILLERS = 12; // ids 4..15
const VOCAB = 17;
const EOS = 16;

function negationPairs(n: number, seed: number): EncodedPair[] {
  const rand = lcg(seed);
  const pick = () => 4 + Math.floor(rand() * FILLERS);
  return Array.from({ length: n }, (_, i) => {
    const prompt = [pick(), pick()];
    const slots = [pick(), pick(), pick(), pick()];
    const at = Math.floor(rand() * 3); // where the "not X" phrase goes
    const other = at + 2 + Math.floor(rand() * (slots.length - at - 1)); // where the lone word goes, after it
    const response = (negated: number, lone: number) => {
      const r = [...slots];
      r.splice(other, 0, lone);
      r.splice(at, 0, NOT, negated);
      return Int32Array.from([...prompt, ...r, EOS]);
    };
    return { id: `p${i}`, chosen: response(BAD, GOOD), rejected: response(GOOD, BAD), promptLength: prompt.length, margin: 0 };
  });
}

async function accuracy(model: Replica['model'], pairs: EncodedPair[]): Promise<number> {
  const { chosen, rejected } = await scorePairs(model, pairs, EOS);
  let correct = 0;
  for (let i = 0; i < pairs.length; i++) correct += chosen[i] > rejected[i] ? 1 : chosen[i] === rejected[i] ? 0.5 : 0;
  return correct / pairs.length;
}

async function trainOn(model: Replica['model'], pairs: EncodedPair[], steps: number, lr: number): Promise<void> {
  const loss = bradleyTerry.create(bradleyTerry.configSchema.parse({}), undefined);
  const replica = new Replica(model, loss, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 1 });
  const batch = 16;
  for (let s = 0; s < steps; s++) {
    const shard = pairs.slice((s * batch) % pairs.length, ((s * batch) % pairs.length) + batch);
    await replica.trainStep(packUnits(shard, EOS), { step: s + 1, lr }); // the trainer's one step
  }
}

describe('word order: a negation flips the next word', () => {
  useBackend('wasm');
  const ctx: ModelContext = { vocabSize: VOCAB, padId: EOS, eosId: EOS, seed: 3 };
  const train = negationPairs(512, 1);
  const test = negationPairs(200, 2);

  it('gives both responses the same words', () => {
    for (const p of test) expect([...p.chosen].sort()).toEqual([...p.rejected].sort());
  });

  it('bag of words (unigrams) cannot do better than ties: 0.5', async () => {
    const bag = bagOfEmbeddings.create(bagOfEmbeddings.configSchema.parse({ bigramBuckets: 0, dim: 8, hidden: 8 }), ctx);
    await trainOn(bag, train, 100, 1e-2);
    expect(await accuracy(bag, test)).toBe(0.5);
    bag.dispose();
  });

  it('the transformer learns it: held-out accuracy >= 0.95', async () => {
    const model = transformerModel.create(transformerModel.configSchema.parse({ nLayer: 2, nHead: 2, nEmbd: 32, nPositions: 16 }), ctx);
    await trainOn(model, train, 160, 3e-3);
    const acc = await accuracy(model, test);
    expect(acc).toBeGreaterThanOrEqual(0.95);
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(1000);
  });
});
