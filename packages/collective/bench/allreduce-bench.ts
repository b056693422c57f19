/**
 * All-reduce benchmark (not a test): npx nx run collective:bench
 *   or: npx tsx packages/collective/bench/allreduce-bench.ts [--transport tcp|ipc|both] [--reps 5]
 *       [--sizes 1,10,100] [--ranks 2,4] [--chunk-bytes 1048576]
 *
 * Ranks are separate processes (runRankProcesses). For each transport it measures
 *  - point-to-point throughput between two processes: the same byte counts as one ZeroMQ message
 *    ("whole") and as messages of chunkBytes ("chunked", what the collectives send), and both
 *    processes sending to each other at once ("bidi", per direction: what a two-rank ring moves), and
 *  - ring and star all-reduce for N = 2 and 4, reported as bus bandwidth 2(N-1)/N x bytes / time:
 *    the rate each rank's link must sustain, comparable with point-to-point throughput; and the ring
 *    on the bf16 wire ("ring-bf16", bus bandwidth in float32 bytes: the gradient it sums per second).
 * Times are medians over `reps` repetitions after one warm-up, each repetition timed by its slowest
 * rank. Writes bench-results/allreduce.json (gitignored) and prints a table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHUNK_BYTES } from '../src/collective';
import type { Transport } from '../src/testing/addresses';
import { runRankProcesses } from '../src/testing/spawn-ranks';
import type { AllReduceBenchArgs, P2PBenchArgs } from './bench-tasks';

const TASKS = path.join(__dirname, 'bench-tasks.ts');
const MB = 1_000_000;

interface Row {
  transport: Transport;
  kind: 'p2p-whole' | 'p2p-chunked' | 'p2p-bidi' | 'ring' | 'ring-bf16' | 'star';
  ranks: number;
  bytes: number;
  medianMs: number;
  /** p2p: bytes / time; all-reduce: bus bandwidth. GB/s (1e9 bytes). */
  gbPerS: number;
  timesMs: number[];
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const transports: Transport[] = arg('transport', 'both') === 'both' ? ['tcp', 'ipc'] : [arg('transport', 'tcp') as Transport];
const sizes = arg('sizes', '1,10,100').split(',').map((s) => Number(s) * MB);
const rankCounts = arg('ranks', '2,4').split(',').map(Number);
const reps = Number(arg('reps', '5'));
const chunkBytes = Number(arg('chunk-bytes', String(DEFAULT_CHUNK_BYTES)));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Per repetition, the slowest rank's time. */
function slowest(perRank: number[][]): number[] {
  return perRank[0].map((_, i) => Math.max(...perRank.map((t) => t[i])));
}

async function pointToPoint(transport: Transport, bytes: number, messageBytes: number, ipcDir: string, bidi = false): Promise<number[]> {
  const perRank = await runRankProcesses<P2PBenchArgs, number[]>({
    worldSize: 2,
    algorithm: 'ring',
    transport,
    taskModule: TASKS,
    taskExport: bidi ? 'timeBidirectional' : 'timePointToPoint',
    args: { bytes, messageBytes, warmup: 1, reps, transport, ipcDir },
    processTimeoutMs: 300_000,
  });
  return bidi ? slowest(perRank) : perRank[0]; // one-way: rank 0 times from first send to ack
}

/** `ring-bf16`: the ring on the bf16 wire (half the bytes move; bus bandwidth still counts float32 bytes). */
async function allReduce(transport: Transport, kind: 'ring' | 'ring-bf16' | 'star', ranks: number, bytes: number): Promise<number[]> {
  const perRank = await runRankProcesses<AllReduceBenchArgs, number[]>({
    worldSize: ranks,
    algorithm: kind === 'star' ? 'star' : 'ring',
    wire: kind === 'ring-bf16' ? 'bf16' : 'f32',
    transport,
    chunkBytes,
    timeoutMs: 120_000,
    taskModule: TASKS,
    taskExport: 'timeAllReduce',
    args: { bytes, warmup: 1, reps },
    processTimeoutMs: 600_000,
  });
  return slowest(perRank);
}

function row(transport: Transport, kind: Row['kind'], ranks: number, bytes: number, timesMs: number[]): Row {
  const medianMs = median(timesMs);
  const factor = kind.startsWith('p2p') ? 1 : (2 * (ranks - 1)) / ranks;
  return { transport, kind, ranks, bytes, medianMs, gbPerS: (factor * bytes) / (medianMs / 1000) / 1e9, timesMs };
}

function print(line: string): void {
  process.stdout.write(line + '\n');
}

async function main(): Promise<void> {
  const ipcDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-bench-'));
  const rows: Row[] = [];
  const started = new Date().toISOString();
  const load = os.loadavg()[0];
  print(`all-reduce benchmark: ${os.cpus().length} cores, load ${load.toFixed(2)}, node ${process.version}, chunkBytes ${chunkBytes}, ${reps} reps`);
  print('transport  what         ranks     size   median ms     GB/s');
  const show = (r: Row): void =>
    print(
      `${r.transport.padEnd(9)}  ${r.kind.padEnd(11)}  ${String(r.ranks).padStart(5)}  ${`${r.bytes / MB} MB`.padStart(7)}  ${r.medianMs.toFixed(1).padStart(10)}  ${r.gbPerS.toFixed(2).padStart(7)}`,
    );
  try {
    // Point-to-point and all-reduce rows of one size run back to back: the machine's load drifts, and
    // the comparison that matters is between neighbouring rows.
    for (const transport of transports) {
      for (const bytes of sizes) {
        const chunked = Math.min(chunkBytes, bytes);
        for (const [kind, messageBytes] of [['p2p-whole', bytes], ['p2p-chunked', chunked], ['p2p-bidi', chunked]] as const) {
          const r = row(transport, kind, 2, bytes, await pointToPoint(transport, bytes, messageBytes, ipcDir, kind === 'p2p-bidi'));
          rows.push(r);
          show(r);
        }
        for (const ranks of rankCounts) {
          for (const algorithm of ['ring', 'ring-bf16', 'star'] as const) {
            const r = row(transport, algorithm, ranks, bytes, await allReduce(transport, algorithm, ranks, bytes));
            rows.push(r);
            show(r);
          }
        }
      }
    }
  } finally {
    fs.rmSync(ipcDir, { recursive: true, force: true });
  }

  const target = transports.map((transport) => {
    const find = (kind: Row['kind'], ranks: number) => rows.find((r) => r.transport === transport && r.kind === kind && r.ranks === ranks && r.bytes === 100 * MB);
    const ring = find('ring', 2);
    const p2p = [find('p2p-whole', 2), find('p2p-chunked', 2)].filter((r): r is Row => r !== undefined);
    const bidi = find('p2p-bidi', 2);
    if (!ring || p2p.length === 0) return undefined;
    const best = Math.max(...p2p.map((r) => r.gbPerS));
    return {
      transport,
      ringBusGbPerS: ring.gbPerS,
      bestP2PGbPerS: best,
      ratio: ring.gbPerS / best,
      bidiGbPerS: bidi?.gbPerS,
      ratioToBidi: bidi ? ring.gbPerS / bidi.gbPerS : undefined,
    };
  });
  for (const t of target) {
    if (!t) continue;
    const vsBidi = t.ratioToBidi === undefined ? '' : `, ${(100 * t.ratioToBidi).toFixed(0)}% of bidirectional point-to-point`;
    print(`${t.transport}: ring N=2 at 100 MB reaches ${(100 * t.ratio).toFixed(0)}% of the better one-way point-to-point figure (target >= 50%)${vsBidi}`);
  }
  const out = path.resolve('bench-results/allreduce.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify({ started, cores: os.cpus().length, loadAverage1m: load, node: process.version, chunkBytes, reps, rows, target }, null, 2) + '\n',
  );
  print(`wrote ${path.relative(process.cwd(), out)}`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
