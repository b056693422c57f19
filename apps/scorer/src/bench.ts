#!/usr/bin/env tsx
/**
 * Scoring-server benchmark (not a test): the model's raw scoring rate, then the server under a real
 * HTTP load generator (autocannon, its own process) on loopback at 1, 8 and 64 concurrent clients,
 * all in the same run so the two can be compared: how much the server adds.
 *   nx run scorer:bench --model=runs/default/final [--duration=8] [--connections=1,8,64] [--out=bench-results/scorer]
 * Each request is one HH-RLHF prompt and response (PPO asks one reward per rollout), the same body
 * throughout; each level runs 2 s of warm-up first. Writes OUT/scorer-bench.json and OUT/scorer-bench.md (the table).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { createLogger, type BackendPreference } from '@rewardkit/core';
import { scoreSequences } from '@rewardkit/engine';
import { runCli } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';
import { loadScorer } from './load-scorer';
import { buildScorer, SCORER_DEFAULTS } from './server';

const log = createLogger('bench');
const root = path.resolve(__dirname, '..', '..', '..');

interface BenchOptions {
  readonly model: string;
  readonly duration: number;
  readonly connections: string;
  readonly out: string;
  readonly backend: string;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
}

interface LoadResult {
  readonly connections: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p90Ms: number;
  readonly maxMs: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly meanBatch: number;
}

async function bench(o: BenchOptions): Promise<void> {
  const loaded = await loadScorer({ model: o.model, backend: o.backend as BackendPreference, maxBatch: o.maxBatch });
  const record = JSON.parse(fs.readFileSync(hhRlhf.test, 'utf8').split('\n')[0]) as { prompt: string; chosen: string };
  const seq = loaded.options.encode(record.prompt, record.chosen);
  log.info(`request: 1 prompt + 1 response, ${seq.ids.length} tokens`);

  // raw rate: the engine alone, in batches of maxBatch (the best the server can do) and one at a time
  const raw = async (rows: number, seconds: number) => {
    const seqs = new Array(rows).fill(seq);
    await loaded.options.score(seqs); // warm-up (first calls compile kernels)
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      await loaded.options.score(seqs);
      n += rows;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  // and with tokenizing: the work every request needs whatever serves it
  const encodeAndScore = async (seconds: number) => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      await loaded.options.score(Array.from({ length: o.maxBatch }, () => loaded.options.encode(record.prompt, record.chosen)));
      n += o.maxBatch;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  const rawBatched = await raw(o.maxBatch, Math.min(5, o.duration));
  const rawEncoded = await encodeAndScore(Math.min(5, o.duration));
  const rawSingle = await raw(1, Math.min(5, o.duration));
  log.info(`raw scoring: ${rawBatched.toFixed(0)} sequences/s in batches of ${o.maxBatch} (${rawEncoded.toFixed(0)}/s with tokenizing), ${rawSingle.toFixed(0)}/s one at a time`);

  const { app, batcher } = buildScorer({ ...loaded.options, maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const body = JSON.stringify({ prompt: record.prompt, responses: [record.chosen] });
  const results: LoadResult[] = [];
  try {
    for (const c of o.connections.split(',').map(Number)) {
      await autocannon(`${url}/score`, c, 2, body); // warm-up, not counted: first batch shapes, connection setup
      const before = { ...batcher.stats };
      const r = await autocannon(`${url}/score`, c, o.duration, body);
      const batches = batcher.stats.batches - before.batches;
      results.push({
        connections: c,
        requestsPerSec: r.requests.average,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        p90Ms: r.latency.p90,
        maxMs: r.latency.max,
        requests: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
        meanBatch: batches ? (batcher.stats.sequences - before.sequences) / batches : 0,
      });
      log.info(`${c} client(s): ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`);
    }
  } finally {
    await app.close();
    loaded.model.dispose();
  }

  const info = loaded.options.info;
  const report = {
    date: new Date().toISOString(),
    host: `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`,
    model: { plugin: info.model_plugin, backend: info.backend, tokensPerRequest: seq.ids.length },
    server: { maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs, durationS: o.duration },
    raw: { batchedSequencesPerSec: rawBatched, batchedWithTokenizingPerSec: rawEncoded, singleSequencesPerSec: rawSingle },
    load: results,
  };
  const rows = results.map(
    (r) =>
      `| ${r.connections} | ${r.requestsPerSec.toFixed(0)} | ${r.p50Ms} | ${r.p90Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.meanBatch.toFixed(1)} | ${((100 * r.requestsPerSec) / rawEncoded).toFixed(0)}% | ${r.non2xx + r.errors} |`,
  );
  const table = [
    `Scorer on loopback, ${info.model_plugin} on ${info.backend}, ${seq.ids.length}-token requests (1 response each), ${report.host}.`,
    `Raw rate in the same run, no HTTP: ${rawEncoded.toFixed(0)} sequences/s tokenized and scored in batches of ${o.maxBatch} ` +
      `(scoring alone ${rawBatched.toFixed(0)}/s; one sequence at a time ${rawSingle.toFixed(0)}/s).`,
    '',
    '| clients | requests/s | p50 ms | p90 ms | p99 ms | max ms | mean batch | of raw rate (with tokenizing) | errors |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'scorer-bench.json'), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(o.out, 'scorer-bench.md'), table + '\n');
  process.stdout.write(table + '\n');
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}

/** autocannon in its own process, so the load generator does not share the server's event loop. */
function autocannon(url: string, connections: number, duration: number, body: string): Promise<AutocannonJson> {
  const cli = path.join(root, 'node_modules', 'autocannon', 'autocannon.js');
  const args = [cli, '-j', '-c', String(connections), '-d', String(duration), '-m', 'POST', '-H', 'content-type=application/json', '-b', body, url];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out) as AutocannonJson);
      } catch {
        reject(new Error(`autocannon printed no JSON: ${out.slice(0, 200)} ${err.slice(0, 200)}`));
      }
    });
  });
}

const program = new Command('scorer-bench')
  .description('Requests/s and p50/p99 latency of the scoring server under autocannon, next to the raw scoring rate.')
  .requiredOption('--model <dir>', 'exported model directory')
  .option('--duration <s>', 'seconds per load level', (v) => Number(v), 8)
  .option('--connections <list>', 'concurrent clients per level', '1,8,64')
  .option('--out <dir>', 'where the JSON and the table go', 'bench-results/scorer')
  .option('--backend <name>', 'tensor backend', 'auto')
  .option('--max-batch <n>', 'server batch size', (v) => Number(v), SCORER_DEFAULTS.maxBatch)
  .option('--max-wait-ms <n>', 'server batching wait', (v) => Number(v), SCORER_DEFAULTS.maxWaitMs)
  .action(bench);

if (require.main === module) void runCli(program);
