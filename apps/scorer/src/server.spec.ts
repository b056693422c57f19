import type { AddressInfo } from 'node:net';
import type { TextOrChat } from '@rewardkit/core';
import type { EncodedResponse } from '@rewardkit/runtime';
import { ScorerClient, ScorerHttpError } from './client';
import { buildScorer, type ScorerOptions } from './server';

// A hand-made model: the reward of a response is its length in characters (conversations: the
// content of their messages), so every expected number can be read off the request.
const textOf = (t: TextOrChat) => (typeof t === 'string' ? t : t.map((m) => m.content).join(''));
const fakeEncode = (prompt: TextOrChat, response: TextOrChat): EncodedResponse => {
  const p = textOf(prompt).length;
  return { ids: new Int32Array(p + textOf(response).length + 1), promptLength: p };
};

async function start(extra: Partial<ScorerOptions> = {}, delayMs = 0) {
  const batches: number[] = [];
  const { app, batcher } = buildScorer({
    encode: fakeEncode,
    score: async (seqs) => {
      batches.push(seqs.length);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return seqs.map((s) => s.ids.length - s.promptLength - 1);
    },
    info: { model: 'fake', backend: 'none' },
    stats: { mean: 10, std: 2 },
    ...extra,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, batcher, batches, url };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('scoring server over HTTP on loopback', () => {
  it('POST /score: one prompt, a list and {batch}; normalisation with the saved statistics', async () => {
    const s = await start();
    try {
      const c = new ScorerClient(s.url);
      expect(await c.score('Q', ['ab', 'abcd', [{ role: 'assistant', content: 'xyz' }]])).toEqual([2, 4, 3]);
      expect(await c.scoreBatch([{ prompt: 'p', responses: ['a'] }, { prompt: 'p', responses: ['aaaaaaaaaaaa', 'aaaaaa'] }])).toEqual([[1], [12, 6]]);
      const list = await (await post(`${s.url}/score`, [{ prompt: 'p', responses: ['abc'] }])).json();
      expect(list).toEqual({ results: [{ rewards: [3] }] });
      expect(await c.score('Q', ['aaaaaaaaaaaaaa', 'aaaaaa'], true)).toEqual([2, -2]); // (14 - 10) / 2, (6 - 10) / 2
      expect(await c.healthy()).toBe(true);
      expect(await c.info()).toEqual(
        expect.objectContaining({ model: 'fake', normalization: { mean: 10, std: 2, default: false }, batching: { maxBatch: 64, maxWaitMs: 0 } }),
      );
    } finally {
      await s.app.close();
    }
  });

  it('POST /get_reward takes the request exactly as OpenRLHF remote_rm_fn sends it', async () => {
    const s = await start();
    try {
      // openrlhf/utils/remote_rm_utils.py: requests.post(url, json={"query": queries, "prompts": prompts, "labels": labels})
      const body = '{"query": ["\\n\\nHuman: hi\\n\\nAssistant: hello there", "Human: x Assistant: yy"], "prompts": ["\\n\\nHuman: hi\\n\\nAssistant:", "unrelated"], "labels": null}';
      const res = await post(`${s.url}/get_reward`, body);
      expect(res.status).toBe(200);
      // the first query splits at its prompt (" hello there": 12 chars); the second has no matching prompt: all of it is the response
      expect(await res.json()).toEqual({ rewards: [12, 22], scores: [12, 22] });
      expect(await new ScorerClient(s.url).getReward(['abc'])).toEqual([3]);
    } finally {
      await s.app.close();
    }
    // OpenRLHF decodes whole sequences: trailing EOS/pad text is stripped (the encoder adds the EOS)
    const t = await start({ specialTexts: ['<|endoftext|>', '<pad>'] });
    try {
      const q = ['P: hello<|endoftext|><pad><pad>', 'P: hello', 'P: <pad>hi<|endoftext|>'];
      expect(await new ScorerClient(t.url).getReward(q, ['P:', 'P:', 'P:'])).toEqual([6, 6, 8]);
    } finally {
      await t.app.close();
    }
  });

  it('batches concurrent requests together, up to the batch size', async () => {
    const s = await start({ maxBatch: 8, maxWaitMs: 20 }, 30);
    try {
      const c = new ScorerClient(s.url);
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => c.score('p', ['x'.repeat(i + 1)])));
      expect(answers).toEqual(Array.from({ length: 12 }, (_, i) => [i + 1]));
      expect(s.batches.reduce((a, b) => a + b, 0)).toBe(12);
      expect(Math.max(...s.batches)).toBe(8);
      expect(s.batches.length).toBeLessThanOrEqual(3); // 12 requests, not 12 forward passes
      // one request larger than the batch spans several
      expect(await c.score('p', Array.from({ length: 19 }, (_, i) => 'y'.repeat(i)))).toEqual(Array.from({ length: 19 }, (_, i) => i));
      expect(s.batcher.stats.largest).toBe(8);
    } finally {
      await s.app.close();
    }
  });

  it('with no wait, a lone request is scored at once and concurrent ones still share batches', async () => {
    const s = await start({ maxBatch: 64, maxWaitMs: 0 }, 30);
    try {
      const c = new ScorerClient(s.url);
      const t0 = performance.now();
      expect(await c.score('p', ['abc'])).toEqual([3]);
      expect(performance.now() - t0).toBeLessThan(1000);
      const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => c.score('p', ['x'.repeat(i)])));
      expect(answers).toEqual(Array.from({ length: 16 }, (_, i) => [i]));
      expect(s.batches.length - 1).toBeLessThan(8); // requests arriving while a 30 ms batch runs form the next
    } finally {
      await s.app.close();
    }
  });

  it('answers bad requests with a 4xx and a message', async () => {
    const s = await start({}, 0);
    try {
      const cases: [unknown, number, RegExp][] = [
        ['{"prompt": "p", "responses": [', 400, /JSON/i],
        [{ prompt: 'p' }, 400, /^responses: /],
        [{ prompt: 'p', responses: [] }, 400, /^responses: .*>=1/],
        [{ prompt: 'p', responses: [3] }, 400, /^responses\.0: /],
        [{ batch: [{ prompt: 1, responses: ['a'] }] }, 400, /^batch\.0\.prompt: /],
      ];
      for (const [body, status, msg] of cases) {
        const res = await post(`${s.url}/score`, body);
        expect(res.status).toBe(status);
        expect(((await res.json()) as { error: string }).error).toMatch(msg);
      }
      const r = await post(`${s.url}/get_reward`, { query: ['a', 'b'], prompts: ['a'] });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toBe('prompts: 1 prompts for 2 queries; expected one per query');
      const noQuery = await post(`${s.url}/get_reward`, { prompts: ['a'] });
      expect(noQuery.status).toBe(400);
      expect(((await noQuery.json()) as { error: string }).error).toMatch(/^query: /);
      expect((await fetch(`${s.url}/nope`)).status).toBe(404);
    } finally {
      await s.app.close();
    }
    const bare = await start({ stats: undefined });
    try {
      const e = await new ScorerClient(bare.url).score('p', ['a'], true).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ScorerHttpError);
      expect((e as ScorerHttpError).status).toBe(400);
      expect((e as Error).message).toMatch(/no saved reward statistics/);
    } finally {
      await bare.app.close();
    }
  });

  it('refuses bodies over the size limit with 413', async () => {
    const s = await start({ bodyLimit: 1024 });
    try {
      const ok = await post(`${s.url}/score`, { prompt: 'p', responses: ['a'.repeat(900)] });
      expect(ok.status).toBe(200);
      const big = await post(`${s.url}/score`, { prompt: 'p', responses: ['a'.repeat(2000)] });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: string }).error).toMatch(/body/i);
      expect(s.batches.reduce((a, b) => a + b, 0)).toBe(1); // the refused body was never scored
    } finally {
      await s.app.close();
    }
  });

  it('with a token, requires it on every route but /healthz', async () => {
    const s = await start({ token: 's3cret' });
    try {
      expect((await post(`${s.url}/score`, { prompt: 'p', responses: ['a'] })).status).toBe(401);
      expect((await post(`${s.url}/get_reward`, { query: ['a'] }, { authorization: 'Bearer wrong!' })).status).toBe(401);
      expect((await fetch(`${s.url}/info`)).status).toBe(401);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect(await new ScorerClient(s.url, 's3cret').score('p', ['ab'])).toEqual([2]);
      const e = (await new ScorerClient(s.url, 'nope').info().catch((err: unknown) => err)) as ScorerHttpError;
      expect(e.status).toBe(401);
      expect(e.message).toMatch(/wrong token/);
    } finally {
      await s.app.close();
    }
  });
});
