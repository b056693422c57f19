/**
 * Worker i on GPU i, for webgpu. Neither WebGPU nor Dawn can pick among identical GPUs: WebGPU's
 * requestAdapter has no index, and dawn.node returns the first adapter Vulkan enumerates (its
 * `adapter=` flag matches the device NAME, the same "NVIDIA H200" on every card). CUDA_VISIBLE_DEVICES
 * does not reach the Vulkan driver. What does is Mesa's device-select layer, an implicit Vulkan
 * layer that works over any driver (NVIDIA's too: it reads VK_EXT_pci_bus_info): with
 * `DRI_PRIME=pci-DDDD_BB_DD_F` it puts the GPU at that PCI address first, and with
 * `MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1` it hides the others, so Dawn's first adapter is
 * the one we named. tools/scripts/setup-software-vulkan.sh unpacks the layer (it ships in
 * mesa-vulkan-drivers) and writes its manifest under .cache/vulkan/share; we add that directory to
 * XDG_DATA_DIRS, where the Vulkan loader looks for implicit layers.
 *
 * GPU i is the i-th PCI display controller in bus order: nvidia-smi's order, and CUDA's with
 * CUDA_DEVICE_ORDER=PCI_BUS_ID. All of this must happen before Dawn's first instance: the loader
 * reads the environment when Dawn creates its Vulkan instance.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Set by the launcher for local worker i (apps/trainer/src/distributed/spawn-worker.ts). */
export const GPU_INDEX_ENV = 'REWARDKIT_GPU_INDEX';
/** A directory holding vulkan/implicit_layer.d/ with the device-select manifest (default: the repo's .cache/vulkan/share). */
export const VULKAN_DATA_ENV = 'REWARDKIT_VULKAN_DATA_DIR';
export const DEVICE_SELECT_MANIFEST = 'vulkan/implicit_layer.d/VkLayer_MESA_device_select.json';

const DEFAULT_DATA_DIR = path.resolve(__dirname, '../../../.cache/vulkan/share');

export interface PciGpu {
  /** e.g. '0000:17:00.0' */
  readonly address: string;
  /** PCI vendor id, e.g. '0x10de' (NVIDIA) */
  readonly vendor: string;
}

const GPU_VENDORS = new Set(['0x10de', '0x1002', '0x8086']); // NVIDIA, AMD, Intel

/** True where PCI sysfs can be read at all (some containers hide it): only then is an empty listGpus() a no. */
export function pciVisible(sysfs = '/sys/bus/pci/devices'): boolean {
  return fs.existsSync(sysfs);
}

/**
 * The host's GPUs: PCI display controllers (class 0x0300 VGA, 0x0302 3D) of a GPU vendor, in bus
 * order (nvidia-smi's order). Empty where there is no sysfs (not Linux) or no GPU.
 */
export function listGpus(sysfs = '/sys/bus/pci/devices'): PciGpu[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(sysfs);
  } catch {
    return [];
  }
  const gpus: PciGpu[] = [];
  for (const address of entries.sort()) {
    try {
      const cls = fs.readFileSync(path.join(sysfs, address, 'class'), 'utf8').trim();
      if (!/^0x030[02]/.test(cls)) continue;
      const vendor = fs.readFileSync(path.join(sysfs, address, 'vendor'), 'utf8').trim();
      // a VM's emulated VGA (bochs, cirrus, virtio) is a display, not a GPU to train on
      if (GPU_VENDORS.has(vendor)) gpus.push({ address, vendor });
    } catch {
      // a device that vanished or hides its class is not one we can use
    }
  }
  return gpus;
}

/** `0000:17:00.0` -> `pci-0000_17_00_0`: the device-select layer's DRI_PRIME tag. */
export function driPrimeTag(address: string): string {
  return `pci-${address.replace(/[:.]/g, '_')}`;
}

export interface Placement {
  /** Environment to set before Dawn starts (empty when nothing is placed). */
  readonly env: Readonly<Record<string, string>>;
  /** One phrase for the log: where this worker runs and why, or why it is not placed. */
  readonly note: string;
  /** Something the user should know (a shared GPU, a missing layer). */
  readonly warning?: string;
}

/**
 * Where worker `index` runs among `gpus`. Several workers per GPU are allowed (worker i takes GPU
 * i mod N: one process is host-bound, two on one H200 each kept their speed) but said; without
 * the device-select layer nothing can be placed and every worker shares the first adapter.
 */
export function planPlacement(index: number, gpus: readonly PciGpu[], dataDir: string, env: NodeJS.ProcessEnv): Placement {
  if (gpus.length === 0) return { env: {}, note: `worker ${index}: no PCI GPU on this host, nothing to place` };
  const gpu = index % gpus.length;
  const shared =
    index >= gpus.length
      ? `worker ${index} asked for GPU ${index} but this host has ${gpus.length} GPU(s): it shares GPU ${gpu} with worker ${gpu}`
      : undefined;
  const manifest = path.join(dataDir, DEVICE_SELECT_MANIFEST);
  if (!fs.existsSync(manifest)) {
    return {
      env: {},
      note: `worker ${index}: not placed`,
      warning:
        `cannot place worker ${index} on GPU ${gpu} (${gpus[gpu].address}): Mesa's device-select layer is not at ${manifest} ` +
        `(tools/scripts/setup-software-vulkan.sh puts it there; or set ${VULKAN_DATA_ENV}); it uses Dawn's first adapter`,
    };
  }
  const dataDirs = env.XDG_DATA_DIRS || '/usr/local/share:/usr/share';
  return {
    env: {
      DRI_PRIME: driPrimeTag(gpus[gpu].address),
      MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1',
      XDG_DATA_DIRS: dataDirs.split(':').includes(dataDir) ? dataDirs : `${dataDir}:${dataDirs}`,
    },
    note: `worker ${index} on GPU ${gpu} of ${gpus.length} (PCI ${gpus[gpu].address}, via Mesa's device-select layer)`,
    warning: shared,
  };
}

/**
 * Applies this process's placement (from GPU_INDEX_ENV) to `process.env`, once, before Dawn starts.
 * Returns undefined when the process is no placed worker.
 */
export function applyPlacement(env: NodeJS.ProcessEnv = process.env): Placement | undefined {
  const raw = env[GPU_INDEX_ENV];
  if (raw === undefined || raw === '') return undefined;
  const index = Number(raw);
  if (!Number.isInteger(index) || index < 0) return { env: {}, note: 'not placed', warning: `${GPU_INDEX_ENV}=${raw} is no GPU index` };
  const plan = planPlacement(index, listGpus(), env[VULKAN_DATA_ENV] || DEFAULT_DATA_DIR, env);
  Object.assign(env, plan.env);
  return plan;
}
