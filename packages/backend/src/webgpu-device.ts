/**
 * WebGPU in Node: Dawn (the `webgpu` npm package's prebuilt `dawn.node`) over Vulkan on Linux.
 *
 * One place owns the Dawn instance, the adapter and the device, so that `initBackend` can look at
 * the adapter BEFORE tfjs takes it (a software adapter is never chosen automatically), the log can
 * name it, and the process can let go of it at the end: dawn.node keeps Node's event loop alive
 * while its GPU object is referenced (https://issues.chromium.org/issues/387965810), so a process
 * that used webgpu would otherwise never exit on its own.
 *
 * We load `dawn.node` directly instead of the package's `index.js`: that file is ESM-only, which
 * CommonJS code (our compiled sources, jest) cannot `require` on Node 20. Its one addition, unmapping
 * a device's buffers on `destroy()`, does not matter to us: we destroy the device only when done.
 *
 * We create the device ourselves instead of letting tfjs-backend-webgpu call
 * `navigator.gpu.requestAdapter()`: its factory pushes `['bgra8unorm-storage']` (an array, a tfjs
 * 4.22 bug Dawn rejects) into requiredFeatures, and it cannot pick adapter i for worker i.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { installF16ShaderHook } from './webgpu-f16-shader-hook';
import { applyPlacement, type Placement } from './webgpu-placement';

/** The slice of the WebGPU API we touch (the full types live in @webgpu/types). */
interface GpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter?: boolean;
}
interface GpuLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
}
export interface GpuDevice {
  readonly limits: GpuLimits;
  createShaderModule(descriptor: { code: string; label?: string }): unknown;
  destroy(): void;
}
interface GpuAdapter {
  readonly info: GpuAdapterInfo;
  readonly limits: GpuLimits;
  readonly features: ReadonlySet<string>;
  requestDevice(descriptor?: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<GpuDevice>;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapter | null>;
}
interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}

/** Where the Dawn binding is, when not at node_modules/webgpu/dist/<platform>-<arch>/dawn.node. */
export const DAWN_NODE_ENV = 'REWARDKIT_DAWN_NODE';
/** Extra dawn.node flags, comma-separated (e.g. `backend=vulkan`, `enable-dawn-features=...`). */
export const DAWN_FLAGS_ENV = 'REWARDKIT_DAWN_FLAGS';

/** What the log line and `BackendInfo` say about an adapter. */
export interface WebGpuAdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU implementation (lavapipe, SwiftShader): correct, but slower than wasm. */
  readonly software: boolean;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

export interface WebGpuDevice {
  readonly adapter: WebGpuAdapterSummary;
  readonly device: GpuDevice;
  /** What tfjs-backend-webgpu's WebGPUBackend takes as its second argument. */
  readonly adapterInfo: GpuAdapterInfo;
  /** Where this worker was placed (a launcher's worker process only). */
  readonly placement?: Placement;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software/i;

export function summarizeAdapter(info: GpuAdapterInfo, limits: GpuLimits): WebGpuAdapterSummary {
  const software =
    info.isFallbackAdapter === true || SOFTWARE.test(`${info.architecture} ${info.device} ${info.description}`);
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
  };
}

const MIB = 1024 * 1024;
/** One phrase for the log: `software adapter "llvmpipe..." (vendor mesa, architecture software, limits)`. */
export function describeAdapter(a: WebGpuAdapterSummary): string {
  const mib = (n: number) => `${Math.round(n / MIB)} MiB`;
  return (
    `${a.software ? 'software' : 'hardware'} adapter "${a.device || a.description || 'unnamed'}" ` +
    `(vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, ` +
    `maxStorageBufferBindingSize ${mib(a.maxStorageBufferBindingSize)}, maxBufferSize ${mib(a.maxBufferSize)})`
  );
}

function dawnPath(): string {
  const override = process.env[DAWN_NODE_ENV];
  if (override) return override;
  const pkgDir = path.dirname(require.resolve('webgpu/package.json'));
  return path.join(pkgDir, 'dist', `${process.platform}-${process.arch}`, 'dawn.node');
}

/** The one Dawn instance of this process; undefined until first asked, null after release. */
let dawn: { module: DawnModule; gpu: Gpu } | undefined;
let opened: WebGpuDevice | undefined;
/** Decided once per process, before the first Dawn instance (the Vulkan loader reads env then). */
let placement: Placement | undefined | null = null;

function loadDawn(): { module: DawnModule; gpu: Gpu } | string {
  if (dawn) return dawn;
  let file: string;
  try {
    file = dawnPath();
  } catch {
    return `the 'webgpu' package (Dawn) is not installed`;
  }
  if (!fs.existsSync(file)) return `no Dawn binding for ${process.platform}-${process.arch} at ${file}`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(file) as DawnModule;
    const flags = (process.env[DAWN_FLAGS_ENV] ?? '').split(',').filter(Boolean);
    // Mesa and Dawn print an error line per process without it; any writable directory will do
    process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
    // GPUBufferUsage, GPUMapMode, ...: tfjs-backend-webgpu reads them as globals, as in a browser.
    for (const [k, v] of Object.entries(module.globals)) if (!(k in globalThis)) Object.assign(globalThis, { [k]: v });
    dawn = { module, gpu: module.create(flags) };
    // tfjs-backend-webgpu checks `navigator.gpu` (WebGPUBackend's constructor throws without it).
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    g.navigator!.gpu = dawn.gpu;
    return dawn;
  } catch (err) {
    return `Dawn (${file}) failed to load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
}

/**
 * Opens the adapter Dawn offers first (Vulkan's first physical device after its own sort; see
 * docs/gpu.md for placing worker i on GPU i) and a device on it with the limits tfjs asks for.
 * Returns the reason as a string when there is none; a second call returns the same device.
 */
export async function openWebGpu(): Promise<WebGpuDevice | string> {
  if (opened) return opened;
  if (placement === null) placement = applyPlacement();
  const loaded = loadDawn();
  if (typeof loaded === 'string') return loaded;
  let adapter: GpuAdapter | null;
  try {
    adapter = await loaded.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return `Dawn found no usable adapter: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
  if (adapter === null) {
    return (
      'Dawn found no Vulkan adapter (no GPU driver, or only one Dawn refuses; for a software adapter run ' +
      'tools/scripts/setup-software-vulkan.sh and set VK_ICD_FILENAMES=.cache/vulkan/lvp_icd.json)'
    );
  }
  const limits = adapter.limits;
  // The limits tfjs-backend-webgpu's own factory asks for (adapter maxima, not WebGPU's defaults).
  const requiredLimits = {
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
    maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
  };
  // timestamp-query lets tf.profile time kernels; shader-f16 lets kernels compute in half precision
  // (webgpu-f16-support.ts); bgra8unorm-storage is for canvases only.
  const requiredFeatures = ['timestamp-query', 'shader-f16'].filter((f) => adapter.features.has(f));
  const info = adapter.info;
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  // f16 kernels write `enable f16;` in their user code, which tfjs places after its own header
  if (requiredFeatures.includes('shader-f16')) installF16ShaderHook(device);
  opened = { adapter: summarizeAdapter(info, limits), device, adapterInfo: info, placement };
  return opened;
}

/**
 * Lets go of the device and of Dawn, so that the process can exit. Safe to call more than once;
 * a later `openWebGpu` starts a fresh Dawn instance.
 */
export function releaseWebGpu(): void {
  if (opened) {
    try {
      opened.device.destroy();
    } catch {
      // already lost or destroyed: nothing left to free
    }
    opened = undefined;
  }
  dawn = undefined;
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) {
    try {
      delete nav.gpu;
    } catch {
      // a read-only navigator (Node 21+'s own) never held our gpu
    }
  }
}
