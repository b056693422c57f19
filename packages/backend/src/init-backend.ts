/**
 * Chooses and starts the TensorFlow.js backend for this process.
 *
 * 'auto' takes the fastest that loads: @tensorflow/tfjs-node-gpu (only when a GPU is wanted) >
 * webgpu on a hardware adapter (only when a GPU is wanted) > @tensorflow/tfjs-node > wasm > cpu.
 * Native TensorFlow is fastest but needs libtensorflow, which cannot be installed offline; webgpu
 * (Dawn over Vulkan, installs offline) runs on the GPU; wasm (SIMD, single-threaded in Node) is ~30x
 * the pure-JS cpu backend once its slow kernels are patched (apply-wasm-fixes.ts). A software
 * WebGPU adapter (Mesa's lavapipe) is slower than wasm, so 'auto' never takes it; `prefer: 'webgpu'`
 * does (that is how CI tests the webgpu kernels). Every skipped candidate's reason is kept, so the
 * one log line and `BackendInfo.reason` say why this backend runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { BACKEND_PREFERENCES, ConfigError, createLogger, type BackendName, type BackendPreference, type Logger } from '@rewardkit/core';
import { applyWasmFixes } from './apply-wasm-fixes';
import { cudaVisibility, probeNodeBackend, TFJS_NODE, TFJS_NODE_GPU, type NodeBackendPackage } from './node-backend';
import { registerAllGradients } from './register-gradients';
import { startWebGpu, WEBGPU_PACKAGE } from './webgpu-backend';
import { describeAdapter, type WebGpuAdapterSummary } from './webgpu-device';
import { listGpus, pciVisible } from './webgpu-placement';
import { softwareAdapterWhenNoGpu } from './webgpu-test-adapter';

// The names live in core (one list for the run config, the CLI and this package).

export interface InitBackendOptions {
  /** 'auto' (default) takes the fastest that loads; a named backend must load or we throw. */
  readonly prefer?: BackendPreference;
  /** Try @tensorflow/tfjs-node-gpu first (default false: a CPU worker should not grab a GPU). */
  readonly gpu?: boolean;
  /** Default: createLogger('backend'). */
  readonly logger?: Logger;
}

export interface BackendInfo {
  readonly name: BackendName;
  /** The npm package providing it, e.g. '@tensorflow/tfjs-backend-wasm'. */
  readonly packageName: string;
  /** True for tfjs-node-gpu with a GPU left visible by CUDA_VISIBLE_DEVICES, and webgpu on a hardware adapter. */
  readonly gpu: boolean;
  /** Why this backend: every candidate skipped on the way, and why. */
  readonly reason: string;
  /** Kernel patches applied (wasm, webgpu), e.g. 'UnsortedSegmentSum kernel'. */
  readonly fixes: readonly string[];
  /** The WebGPU adapter (webgpu only). */
  readonly adapter?: WebGpuAdapterSummary;
}

type Chosen = Omit<BackendInfo, 'reason'> & { readonly note: string };
/** A candidate either starts (and is now the active backend) or says why not. */
type Candidate = () => Promise<Chosen | string>;

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const CPU_PACKAGE = '@tensorflow/tfjs-backend-cpu';

function nativeCandidate(pkg: NodeBackendPackage, log: Logger): Candidate {
  return async () => {
    const probe = probeNodeBackend(pkg);
    if (!probe.loaded) return probe.reason;
    if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but its backend failed to initialize`;
    if (pkg !== TFJS_NODE_GPU) return { name: 'tensorflow', packageName: pkg, gpu: false, fixes: [], note: 'native TensorFlow' };
    const cuda = cudaVisibility();
    if (!cuda.visible) log.warn(`${pkg} loaded but ${cuda.note}: TensorFlow will run on the CPU`);
    return { name: 'tensorflow', packageName: pkg, gpu: cuda.visible, fixes: [], note: `native TensorFlow, ${cuda.note}` };
  };
}

const wasmCandidate: Candidate = async () => {
  // Patch before starting: setBackend runs the (kept) setup functions of the wrapped kernels.
  const fixes = applyWasmFixes();
  if (!(await tf.setBackend('wasm'))) {
    return `${WASM_PACKAGE} failed to initialize (its .wasm binaries must sit beside its dist/ bundle)`;
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
  const threads = getThreadsCount();
  return {
    name: 'wasm',
    packageName: WASM_PACKAGE,
    gpu: false,
    fixes,
    note: `${simd}, ${threads} thread${threads === 1 ? '' : 's'}`,
  };
};

/**
 * webgpu over Dawn. `hardwareOnly` ('auto') refuses a software adapter: lavapipe runs every kernel
 * correctly but ~50x slower than wasm, so only an explicit `prefer: 'webgpu'` takes it.
 */
function webgpuCandidate(hardwareOnly: boolean, log: Logger): Candidate {
  return async () => {
    const started = await startWebGpu((d) =>
      hardwareOnly && d.adapter.software
        ? `webgpu not chosen: ${describeAdapter(d.adapter)} is a CPU implementation, slower than wasm (--backend=webgpu takes it)`
        : undefined,
    );
    if (typeof started === 'string') return started.startsWith('webgpu') ? started : `webgpu: ${started}`;
    const a = started.adapter;
    const placed = started.placement;
    if (placed?.warning) log.warn(placed.warning);
    return {
      name: 'webgpu',
      packageName: WEBGPU_PACKAGE,
      gpu: !a.software,
      fixes: started.fixes,
      adapter: a,
      note: `Dawn/Vulkan, ${describeAdapter(a)}${placed ? `; ${placed.note}` : ''}`,
    };
  };
}

const cpuCandidate: Candidate = async () => {
  if (!(await tf.setBackend('cpu'))) return `${CPU_PACKAGE} failed to initialize`;
  return { name: 'cpu', packageName: CPU_PACKAGE, gpu: false, fixes: [], note: 'pure JavaScript' };
};

function candidatesFor(prefer: BackendPreference, gpu: boolean, log: Logger): (Candidate | string)[] {
  const nodeGpu = nativeCandidate(TFJS_NODE_GPU, log);
  const node = nativeCandidate(TFJS_NODE, log);
  switch (prefer) {
    case 'auto':
      return [
        gpu ? nodeGpu : `${TFJS_NODE_GPU} not tried (no GPU requested)`,
        !gpu
          ? 'webgpu not tried (no GPU requested)'
          : pciVisible() && listGpus().length === 0
            ? 'webgpu not tried (no GPU on the PCI bus)' // spares loading Dawn (21 MB) in every CPU worker
            : webgpuCandidate(true, log),
        node,
        wasmCandidate,
        cpuCandidate,
      ];
    case 'tensorflow':
      // Either package provides the backend; the GPU build also runs on CPU when it sees no GPU.
      return gpu ? [nodeGpu, node] : [node, nodeGpu];
    case 'webgpu': {
      const icd = pciVisible() ? softwareAdapterWhenNoGpu(listGpus().length) : undefined;
      if (icd) log.info(`--backend=webgpu with no GPU on the PCI bus: using the software Vulkan driver ${icd}`);
      return [webgpuCandidate(false, log)];
    }
    case 'wasm':
      return [wasmCandidate];
    case 'cpu':
      return [cpuCandidate];
  }
}

async function choose(prefer: BackendPreference, gpu: boolean, log: Logger): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const candidate of candidatesFor(prefer, gpu, log)) {
    const outcome = typeof candidate === 'string' ? candidate : await candidate();
    if (typeof outcome === 'string') {
      skipped.push(outcome);
      continue;
    }
    const { note, ...rest } = outcome;
    const why = prefer === 'auto' ? skipped : [`prefer: '${prefer}'`, ...skipped];
    return { ...rest, reason: [...why, `${outcome.packageName} (${note}) loaded`].join('; ') };
  }
  throw new ConfigError(
    `backend '${prefer}' cannot run: ${skipped.join('; ')}. ` +
      (prefer === 'tensorflow' ? `Install ${TFJS_NODE} or ${TFJS_NODE_GPU} (needs network access), or use 'auto'.` : `Use 'auto'.`),
  );
}

/** Last result per (prefer, gpu): a repeated call with the same choice costs a map lookup. */
const chosen = new Map<string, BackendInfo>();

/**
 * Starts the backend and registers tfjs-core's op gradients (which plain tfjs-core on Node
 * lacks). Logs one info line naming the backend and why. Throws ConfigError for an unknown
 * `prefer` or a named backend that cannot load.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const prefer = options.prefer ?? 'auto';
  const gpu = options.gpu ?? false;
  const log = options.logger ?? createLogger('backend');
  if (!BACKEND_PREFERENCES.includes(prefer)) {
    throw new ConfigError(`unknown backend '${String(prefer)}'; expected one of ${BACKEND_PREFERENCES.join(', ')}`);
  }
  const key = `${prefer}:${gpu}`;
  const previous = chosen.get(key);
  if (previous !== undefined && tf.getBackend() === previous.name) return previous;

  registerAllGradients();
  const info = await choose(prefer, gpu, log);
  chosen.set(key, info);
  const fixes = info.fixes.length > 0 ? `; ${info.name} fixes: ${info.fixes.join(', ')}` : '';
  log.info(`tfjs backend '${info.name}' because ${info.reason}${fixes}`);
  return info;
}
