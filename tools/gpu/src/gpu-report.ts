/**
 * The GPU check's last step (`node bin/gpu-report.cjs PIECES_DIR OUT.json`): merges what each step
 * of tools/gpu-check.sh left in PIECES_DIR into one JSON file and prints the comparison table
 * (tfjs-webgpu pairs/s against the PyTorch peer, preset for preset; CPU workers).
 * Pieces: steps.jsonl (bash: step, rc, seconds), host.json, adapter.json, kernels.json,
 * bench-<preset>.json (train-bench --out), torch.jsonl (torch_peer.py lines), workers.json,
 * profile-<preset>.json (step-profile --out: fused kernels on/off, dispatches, kernel time, copies).
 */
import fs from 'node:fs';
import path from 'node:path';

type Row = Record<string, unknown>;

function readJson(file: string): Row | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Row;
  } catch {
    return undefined;
  }
}

function readLines(file: string): Row[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Row];
      } catch {
        return [];
      }
    });
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const fmt = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(digits));

export interface GpuCheckReport {
  readonly name: 'gpu-check';
  readonly date: string;
  readonly host?: Row;
  readonly steps: Row[];
  readonly adapter?: Row;
  readonly kernels?: Row;
  /** One row per preset: train-bench's in-process row on webgpu. */
  readonly webgpu: Row[];
  readonly torch: Row[];
  readonly workers: Row[];
  /** Worker processes on the GPU (several per GPU), from gpu-workers.json. */
  readonly gpuWorkers: Row[];
  /** One row per preset and fused mode, from step-profile; copies per size. */
  readonly profiles: Row[];
  /** Per preset profiled with --overlap: buffered steps, copy/backward overlap off and on. */
  readonly overlap: Row[];
  /** Per preset profiled with --submit-batch: step time and submits per dispatches-per-submit setting. */
  readonly submitBatches: Row[];
  readonly matmuls: Row[];
  readonly copies: Row[];
  readonly summary: Row[];
}

/** Collects the pieces; `summary` pairs each preset's webgpu row with the peer's modes. */
export function collectReport(dir: string): GpuCheckReport {
  const webgpu: Row[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => /^bench-.+\.json$/.test(n)).sort()) {
    const b = readJson(path.join(dir, f));
    for (const r of (b?.rows as Row[] | undefined) ?? []) webgpu.push({ preset: b?.preset, backend: b?.backend, ...r });
  }
  const torch = readLines(path.join(dir, 'torch.jsonl'));
  const workerRows = (file: string) => {
    const j = readJson(path.join(dir, file));
    return ((j?.workerRows as Row[] | undefined) ?? []).map((r) => ({ preset: j?.preset, ...r }));
  };
  const workers = workerRows('workers.json');
  const gpuWorkers = workerRows('gpu-workers.json');
  const profiles: Row[] = [];
  const copies: Row[] = [];
  const matmuls: Row[] = [];
  const overlap: Row[] = [];
  const submitBatches: Row[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => /^profile-.+\.json$/.test(n)).sort()) {
    const p = readJson(path.join(dir, f));
    for (const m of (p?.modes as Row[] | undefined) ?? []) profiles.push({ preset: p?.preset, params: p?.params, ...m });
    for (const c of (p?.copies as Row[] | undefined) ?? []) copies.push({ preset: p?.preset, ...c });
    for (const o of (p?.overlap as Row[] | undefined) ?? []) overlap.push({ preset: p?.preset, ...o });
    for (const b of (p?.submitBatches as Row[] | undefined) ?? []) submitBatches.push({ preset: p?.preset, ...b });
    for (const m of (p?.matmuls as Row[] | undefined) ?? []) matmuls.push(m);
  }
  const presets = [...new Set([...webgpu.map((r) => r.preset), ...torch.map((r) => r.preset)].filter((p): p is string => typeof p === 'string'))];
  const summary = presets.map((preset) => {
    // the GPU-resident (device) store is the headline; a forced host-store run is its comparison
    const w = webgpu.find((r) => r.preset === preset && r.store !== 'host') ?? webgpu.find((r) => r.preset === preset);
    const host = webgpu.find((r) => r.preset === preset && r.store === 'host' && r !== w);
    const t = (mode: string) => num(torch.find((r) => r.preset === preset && String(r.impl).endsWith(mode))?.pairs_s);
    const wp = num(w?.['pairs/s']);
    const fp32 = t('fp32');
    return {
      preset,
      params: w?.params ?? torch.find((r) => r.preset === preset)?.params,
      pairs: w?.pairs ?? torch.find((r) => r.preset === preset)?.pairs,
      'webgpu pairs/s': wp,
      'webgpu ms/step': num(w?.['ms/step']),
      store: w?.store,
      // a NaN loss is a failed run whatever its speed
      'webgpu loss finite': w === undefined ? undefined : Number.isFinite(num(w['loss last']) ?? NaN),
      'webgpu host-store pairs/s': num(host?.['pairs/s']),
      'torch fp32': fp32,
      'torch tf32': t('tf32'),
      'torch bf16': t('bf16'),
      'fp32 / webgpu': wp && fp32 ? fp32 / wp : undefined,
    };
  });
  return {
    name: 'gpu-check',
    date: new Date().toISOString(),
    host: readJson(path.join(dir, 'host.json')),
    steps: readLines(path.join(dir, 'steps.jsonl')),
    adapter: readJson(path.join(dir, 'adapter.json')),
    kernels: readJson(path.join(dir, 'kernels.json')),
    webgpu,
    torch,
    workers,
    gpuWorkers,
    profiles,
    overlap,
    submitBatches,
    matmuls,
    copies,
    summary,
  };
}

/** A worker row's all-reduce share of rank 0's step, as a percentage. */
const share = (w: Row) => (num(w['allreduce share']) === undefined ? '-' : `${fmt(100 * (num(w['allreduce share']) as number), 1)}%`);

/** The printed table: one line per preset, then one per worker count. */
export function formatReport(r: GpuCheckReport): string {
  const lines: string[] = [];
  const adapter = r.adapter?.reason ?? 'unknown';
  lines.push(`adapter: ${String(adapter)}`);
  if (r.kernels) lines.push(`kernel check: ${String(r.kernels.passed)} passed, ${String(r.kernels.failed)} failed (${String(r.kernels.backend)} vs cpu)`);
  lines.push('', '| preset | params | pairs/step | tfjs-webgpu pairs/s | ms/step | host store pairs/s | PyTorch fp32 | tf32 | bf16 | fp32 / webgpu |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.summary) {
    const n = num(s.params);
    lines.push(
      `| ${String(s.preset)} | ${n === undefined ? '-' : (n / 1e6).toFixed(1) + 'M'} | ${String(s.pairs ?? '-')} | ` +
        `${fmt(num(s['webgpu pairs/s']))}${s['webgpu loss finite'] === false ? ' (loss NaN: failed)' : ''} | ${fmt(num(s['webgpu ms/step']))} | ${fmt(num(s['webgpu host-store pairs/s']))} | ` +
        `${fmt(num(s['torch fp32']))} | ${fmt(num(s['torch tf32']))} | ${fmt(num(s['torch bf16']))} | ${s['fp32 / webgpu'] === undefined ? '-' : fmt(num(s['fp32 / webgpu'])) + 'x'} |`,
    );
  }
  if (r.workers.length) {
    lines.push('', '| CPU workers (wasm) | preset | ms/step | pairs/s | speed-up | all-reduce ms | all-reduce share |', '|---:|---|---:|---:|---:|---:|---:|');
    for (const w of r.workers) lines.push(`| ${String(w.workers)} | ${String(w.preset)} | ${fmt(num(w['ms/step']))} | ${fmt(num(w['pairs/s']), 2)} | ${fmt(num(w['speed-up vs 1 worker']), 2)} | ${fmt(num(w['allreduce ms']))} | ${share(w)} |`);
  }
  if (r.gpuWorkers.length) {
    // every worker process on the host's GPUs (worker i on GPU i mod GPUs): on one GPU, N per GPU
    const gpus = Math.max(1, String(r.host?.nvidia_smi ?? '').split(';').filter((l) => l.startsWith('GPU ')).length);
    lines.push('', '| GPU worker processes | per GPU | preset | ms/step | pairs/s | speed-up | all-reduce ms | all-reduce share |', '|---:|---:|---|---:|---:|---:|---:|---:|');
    for (const w of r.gpuWorkers) {
      lines.push(
        `| ${String(w.workers)} | ${fmt((num(w.workers) ?? 0) / gpus, 1)} | ${String(w.preset)} | ${fmt(num(w['ms/step']))} | ${fmt(num(w['pairs/s']), 2)} | ${fmt(num(w['speed-up vs 1 worker']), 2)} | ` +
          `${fmt(num(w['allreduce ms']))} | ${share(w)} |`,
      );
    }
  }
  if (r.profiles.length) {
    lines.push('', '| step profile | kernels | ms/step | pairs/s | dispatches/step | submits/step | uploads/step | tfjs kernels/step | GPU kernel ms | wall / kernel |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of r.profiles) {
      lines.push(
        `| ${String(p.preset)} | ${String(p.mode ?? (p.fused ? 'on' : 'off'))} | ${fmt(num(p.stepMs))} | ${fmt(num(p.pairsPerSec), 2)} | ${String(p.dispatchesPerStep ?? '-')} | ${String(p.submitsPerStep ?? '-')} | ${String(p.uploadsPerStep ?? '-')} | ${String(p.kernelCallsPerStep ?? '-')} | ` +
          `${fmt(num(p.kernelMs))} | ${fmt(num(p.wallOverKernel), 2)} |`,
      );
    }
  }
  if (r.submitBatches.length) {
    lines.push('', '| submit batch (fused on) | preset | dispatches per submit | ms/step | dispatches/step | submits/step |', '|---|---|---:|---:|---:|---:|');
    for (const b of r.submitBatches) lines.push(`| | ${String(b.preset)} | ${String(b.dispatchesPerSubmit)} | ${fmt(num(b.stepMs))} | ${String(b.dispatchesPerStep)} | ${String(b.submitsPerStep)} |`);
  }
  if (r.overlap.length) {
    lines.push('', '| buffered step (read back) | preset | copy/backward overlap | ms/step | gradient on host + update ms |', '|---|---|---|---:|---:|');
    for (const o of r.overlap) lines.push(`| | ${String(o.preset)} | ${o.overlap ? 'on' : 'off'} | ${fmt(num(o.stepMs))} | ${fmt(num(o.computeMs))} |`);
  }
  if (r.matmuls.length) {
    lines.push('', '| matMul n | product | tfjs kernel TFLOP/s | tiled TFLOP/s | tiled f16 operands TFLOP/s |', '|---:|---|---:|---:|---:|');
    const key = (m: Row) => `${String(m.n)} ${String(m.product)}`;
    for (const k of [...new Set(r.matmuls.map(key))]) {
      const at = (kernel: string) => num(r.matmuls.find((m) => key(m) === k && m.kernel === kernel)?.tflops);
      const [n, product] = k.split(' ');
      lines.push(`| ${n} | ${product} | ${fmt(at('stock'), 2)} | ${fmt(at('tiled'), 2)} | ${fmt(at('f16'), 2)} |`);
    }
  }
  if (r.copies.length) {
    lines.push('', '| copy size (MB) | upload GB/s | read-back GB/s | read-back via data() GB/s |', '|---:|---:|---:|---:|');
    for (const c of r.copies) lines.push(`| ${String(c.mb)} | ${fmt(num(c.uploadGBs), 2)} | ${fmt(num(c.readGBs), 2)} | ${fmt(num(c.readDataGBs), 2)} |`);
  }
  const skipped = r.steps.filter((s) => s.skipped === true);
  const failed = r.steps.filter((s) => s.rc !== 0 && s.skipped !== true);
  const names = (xs: Row[], rc: boolean) => xs.map((s) => (rc ? `${String(s.step)} (rc ${String(s.rc)}${s.rc === 124 ? ': timed out' : ''})` : String(s.step))).join(', ');
  lines.push(
    '',
    `steps: ${r.steps.length - skipped.length} run, ${failed.length} failed${failed.length ? ': ' + names(failed, true) : ''}` +
      (skipped.length ? `; skipped for time: ${names(skipped, false)}` : ''),
  );
  return lines.join('\n');
}

if (require.main === module) {
  const [dir, out] = process.argv.slice(2);
  if (!dir || !out) {
    process.stderr.write('usage: gpu-report PIECES_DIR OUT.json\n');
    process.exit(2);
  }
  const report = collectReport(dir);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(formatReport(report) + `\nwrote ${out}\n`);
}
