#!/usr/bin/env tsx
/**
 * rewardkit scorer: an HTTP reward server for PPO rollouts.
 *   nx run scorer:serve --model=runs/rm/final --port=8000 [--host=127.0.0.1] [--token=SECRET] [--normalize]
 * OpenRLHF: --remote_rm_url http://127.0.0.1:8000/get_reward
 * Stops on SIGINT/SIGTERM after answering the requests in flight.
 */
import { Command, InvalidArgumentError } from 'commander';
import { BACKEND_PREFERENCES, ConfigError, createLogger, type BackendPreference } from '@rewardkit/core';
import { runCli } from '@rewardkit/runtime';
import { loadScorer } from './load-scorer';
import { buildScorer, SCORER_DEFAULTS } from './server';

const log = createLogger('scorer');

interface ServeOptions {
  readonly model: string;
  readonly port: number;
  readonly host: string;
  readonly token?: string;
  readonly normalize?: boolean;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly bodyLimit: number;
  readonly maxLength?: number;
  readonly plugin: string[];
  readonly backend: string;
}

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${v}"`);
  return n;
};

async function serve(o: ServeOptions): Promise<void> {
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(o.backend)) throw new ConfigError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}`);
  if (o.maxBatch < 1) throw new ConfigError('--max-batch must be at least 1');
  const token = o.token ?? process.env.REWARDKIT_SCORER_TOKEN;
  const loaded = await loadScorer({ model: o.model, backend: o.backend as BackendPreference, plugin: o.plugin, maxBatch: o.maxBatch, ...(o.maxLength ? { maxLength: o.maxLength } : {}) });
  if (o.normalize && !loaded.options.stats) throw new ConfigError(`--normalize: ${o.model} has no saved reward statistics (train it with --eval)`);
  const { app } = buildScorer({
    ...loaded.options,
    normalizeByDefault: Boolean(o.normalize),
    ...(token ? { token } : {}),
    maxBatch: o.maxBatch,
    maxWaitMs: o.maxWaitMs,
    bodyLimit: o.bodyLimit,
  });
  if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1' && !token) {
    log.warn(`listening on ${o.host} without --token: anyone who can reach it can use the model`);
  }
  const address = await app.listen({ port: o.port, host: o.host });
  log.info(`listening on ${address} (model ${o.model}, ${String(loaded.options.info.backend)}; POST /score, POST /get_reward, GET /healthz, GET /info)`);
  const stop = (signal: string) => {
    log.info(`${signal}: closing`);
    void app.close().then(() => {
      loaded.model.dispose();
      process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

const program = new Command('scorer')
  .description('HTTP reward server: POST /score, POST /get_reward (OpenRLHF), GET /healthz, GET /info.')
  .requiredOption('--model <dir>', 'exported model directory (the trainer writes OUT/final)')
  .option('--port <n>', 'TCP port (0: any free one, printed)', int, 8000)
  .option('--host <addr>', 'address to bind; loopback unless told otherwise', '127.0.0.1')
  .option('--token <secret>', 'require "Authorization: Bearer SECRET" (or set REWARDKIT_SCORER_TOKEN)')
  .option('--normalize', 'normalise rewards with the statistics saved with the model, unless a request says otherwise')
  .option('--max-batch <n>', 'sequences scored together', int, SCORER_DEFAULTS.maxBatch)
  .option('--max-wait-ms <n>', 'how long a request waits for others to join its batch', int, SCORER_DEFAULTS.maxWaitMs)
  .option('--body-limit <bytes>', 'largest request body', int, SCORER_DEFAULTS.bodyLimit)
  .option('--max-length <n>', 'tokens per sequence (default: as trained)', int)
  .option('--plugin <package>', 'external plugin package (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--backend <name>', `tensor backend: ${BACKEND_PREFERENCES.join(', ')}`, 'auto')
  .action(serve);

if (require.main === module) void runCli(program);
