/**
 * The scoring server (Fastify). Routes:
 *   POST /score       {prompt, responses: [...]} (or a list of them, or {batch: [...]}) -> {rewards} / {results: [{rewards}]}
 *   POST /get_reward  OpenRLHF's remote reward model request {query, prompts?, labels?} -> {rewards, scores}
 *   GET  /healthz     {ok: true}
 *   GET  /info        model, backend, normalisation, batching limits
 * Every text is encoded when its request arrives (a bad conversation is that request's 400, not the
 * batch's) and scored by the shared batcher. Bodies over `bodyLimit` bytes get 413; with a token,
 * every route but /healthz wants `Authorization: Bearer TOKEN` (401 otherwise).
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TextOrChat } from '@rewardkit/core';
import { formatZodError, RewardkitError } from '@rewardkit/core';
import type { EncodedResponse } from '@rewardkit/runtime';
import { ScoreBatcher, type ScoreBatch } from './batcher';
import { openRlhfBody, scoreBody } from './requests';

/** Mean and standard deviation of the model's rewards, saved with it (the trainer's held-out evaluation). */
export interface RewardStats {
  readonly mean: number;
  readonly std: number;
}

export interface ScorerOptions {
  readonly encode: (prompt: TextOrChat, response: TextOrChat) => EncodedResponse;
  readonly score: ScoreBatch;
  /** What GET /info shows (model directory, plugin, backend...). */
  readonly info: Record<string, unknown>;
  readonly stats?: RewardStats;
  /**
   * The EOS and pad tokens as text. OpenRLHF decodes whole sequences, so its queries may end with
   * them; they are stripped (the encoder appends the one EOS the model was trained with), as
   * OpenRLHF's own reward server strips them.
   */
  readonly specialTexts?: readonly string[];
  /** Normalise when a request does not say (and always on /get_reward). */
  readonly normalizeByDefault?: boolean;
  readonly token?: string;
  readonly maxBatch?: number;
  readonly maxWaitMs?: number;
  readonly bodyLimit?: number;
}

export const SCORER_DEFAULTS = {
  maxBatch: 64, // sequences per forward pass: the engine's scoring batch
  // extra latency a request may pay so that others can join its batch; 0 still batches under load
  // (what arrives while a batch runs forms the next) and adds no latency to a lone request
  maxWaitMs: 0,
  bodyLimit: 8 * 1024 * 1024, // a PPO rollout batch of long texts fits; a runaway client does not
} as const;

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function buildScorer(opts: ScorerOptions): { app: FastifyInstance; batcher: ScoreBatcher } {
  const maxBatch = opts.maxBatch ?? SCORER_DEFAULTS.maxBatch;
  const maxWaitMs = opts.maxWaitMs ?? SCORER_DEFAULTS.maxWaitMs;
  const batcher = new ScoreBatcher(opts.score, maxBatch, maxWaitMs);
  const app = Fastify({ bodyLimit: opts.bodyLimit ?? SCORER_DEFAULTS.bodyLimit, logger: false });

  if (opts.token !== undefined) {
    const want = Buffer.from(`Bearer ${opts.token}`);
    app.addHook('onRequest', async (req: FastifyRequest) => {
      if (req.url === '/healthz') return;
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== want.length || !timingSafeEqual(got, want)) throw new HttpError(401, 'missing or wrong token (send "Authorization: Bearer TOKEN")');
    });
  }

  app.setErrorHandler((err: Error & { statusCode?: number }, _req: FastifyRequest, reply: FastifyReply) => {
    // Fastify's own errors (bad JSON 400, body too large 413, wrong content type 415) keep their status
    const status = err instanceof RewardkitError ? 400 : (err.statusCode ?? 500);
    void reply.code(status).send({ error: status >= 500 ? `internal error: ${err.message}` : err.message });
  });

  const rewardsFor = async (prompt: TextOrChat, responses: readonly TextOrChat[]) => batcher.submit(responses.map((r) => opts.encode(prompt, r)));

  const normalizer = (wanted: boolean | undefined): ((r: number[]) => number[]) => {
    if (!(wanted ?? opts.normalizeByDefault ?? false)) return (r) => r;
    const s = opts.stats;
    if (!s) throw new HttpError(400, 'normalize: this model has no saved reward statistics (train it with --eval to save them)');
    const std = s.std > 0 ? s.std : 1;
    return (r) => r.map((x) => (x - s.mean) / std);
  };

  app.post('/score', async (req) => {
    const parsed = scoreBody.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, formatZodError(parsed.error).split('\n')[0]);
    const body = parsed.data;
    const norm = normalizer(Array.isArray(body) ? undefined : body.normalize);
    if (!Array.isArray(body) && 'prompt' in body) return { rewards: norm(await rewardsFor(body.prompt, body.responses)) };
    const items = Array.isArray(body) ? body : body.batch;
    const results = await Promise.all(items.map(async (it) => ({ rewards: norm(await rewardsFor(it.prompt, it.responses)) })));
    return { results };
  });

  app.post('/get_reward', async (req) => {
    const parsed = openRlhfBody.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, formatZodError(parsed.error).split('\n')[0]);
    const { query, prompts } = parsed.data;
    if (prompts && prompts.length !== query.length) {
      throw new HttpError(400, `prompts: ${prompts.length} prompts for ${query.length} queries; expected one per query`);
    }
    // a query is prompt ++ response; without a matching prompt the whole query is the response
    const seqs = query.map((full, i) => {
      const q = stripSpecials(full, opts.specialTexts ?? []);
      const p = prompts?.[i];
      return p !== undefined && p !== '' && q.startsWith(p) ? opts.encode(p, q.slice(p.length)) : opts.encode('', q);
    });
    const rewards = normalizer(undefined)(await batcher.submit(seqs));
    return { rewards, scores: rewards };
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/info', async () => ({
    ...opts.info,
    normalization: opts.stats ? { mean: opts.stats.mean, std: opts.stats.std, default: Boolean(opts.normalizeByDefault) } : null,
    batching: { maxBatch, maxWaitMs },
    bodyLimit: opts.bodyLimit ?? SCORER_DEFAULTS.bodyLimit,
  }));
  return { app, batcher };
}

/** `text` without any run of the given tokens at its end. */
export function stripSpecials(text: string, specials: readonly string[]): string {
  let t = text;
  for (let again = true; again; ) {
    again = false;
    for (const sp of specials) {
      if (sp && t.endsWith(sp)) {
        t = t.slice(0, -sp.length);
        again = true;
      }
    }
  }
  return t;
}
