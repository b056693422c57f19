/**
 * For tests that run on webgpu: point Dawn at the software Vulkan driver that
 * tools/scripts/setup-software-vulkan.sh unpacks into .cache/vulkan/, or say why webgpu tests
 * must skip. Exported so specs in other packages (the engine's device optimizer, the trainer's
 * webgpu equivalence) share one rule.
 *
 * The rule: an explicit VK_ICD_FILENAMES (or REWARDKIT_WEBGPU_HARDWARE=1, for a GPU host) is left
 * alone; otherwise the software ICD is used when it is there. The Vulkan loader reads
 * VK_ICD_FILENAMES when Dawn creates its instance, so this must run before the first
 * `initBackend({ prefer: 'webgpu' })` of the process; child processes inherit the variable.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/** Where setup-software-vulkan.sh writes its ICD manifest, relative to the repository root. */
export const SOFTWARE_ICD = '.cache/vulkan/lvp_icd.json';
/** Set to 1 on a GPU host: tests then use the hardware adapter Vulkan finds. */
export const HARDWARE_ENV = 'REWARDKIT_WEBGPU_HARDWARE';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const LOADER_PATHS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64'];

export type WebGpuTestAvailability = { readonly available: true; readonly via: string } | { readonly available: false; readonly reason: string };

let announced = false;

/**
 * The environment the Vulkan loader reads (C's environ). jest runs a spec in a vm context whose
 * `process.env` is a copy, so writes to it never reach Dawn; the main context's is the real one.
 */
function realProcessEnv(): NodeJS.ProcessEnv {
  return (vm.runInThisContext('process') as NodeJS.Process).env;
}

/**
 * Sets VK_ICD_FILENAMES (and XDG_RUNTIME_DIR, which Mesa warns about when unset) in `env` when
 * the software adapter should be used, and says whether a webgpu test can expect an adapter.
 * Cheap and synchronous, so a spec can decide `describe` vs `describe.skip` at load time.
 */
export function prepareWebGpuForTests(
  env: NodeJS.ProcessEnv = process.env,
  root: string = REPO_ROOT,
  realEnv: NodeJS.ProcessEnv = realProcessEnv(),
): WebGpuTestAvailability {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { available: false, reason: `webgpu tests run on linux-x64 only (this is ${process.platform}-${process.arch})` };
  }
  if (!LOADER_PATHS.some((dir) => fs.existsSync(path.join(dir, 'libvulkan.so.1')))) {
    return { available: false, reason: 'the Vulkan loader libvulkan.so.1 is missing: run tools/scripts/setup-software-vulkan.sh' };
  }
  if (env[HARDWARE_ENV] === '1') return { available: true, via: `${HARDWARE_ENV}=1: the hardware adapter Vulkan finds` };
  if (env.VK_ICD_FILENAMES) return { available: true, via: `VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES}` };
  const icd = path.join(root, SOFTWARE_ICD);
  if (!fs.existsSync(icd)) {
    return { available: false, reason: `no software Vulkan driver at ${SOFTWARE_ICD}: run tools/scripts/setup-software-vulkan.sh` };
  }
  for (const target of new Set([env, realEnv])) {
    target.VK_ICD_FILENAMES = icd;
    target.XDG_RUNTIME_DIR ??= '/tmp';
  }
  return { available: true, via: `software Vulkan (lavapipe) at ${SOFTWARE_ICD}` };
}

/**
 * `--backend=webgpu` on a machine with no GPU: use the software driver of
 * setup-software-vulkan.sh when it is there and nothing else was chosen (VK_ICD_FILENAMES unset).
 * Returns the manifest used, or undefined when it changed nothing.
 */
export function softwareAdapterWhenNoGpu(gpusOnPciBus: number, env: NodeJS.ProcessEnv = process.env, root: string = REPO_ROOT): string | undefined {
  if (gpusOnPciBus > 0 || env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return undefined;
  const icd = path.join(root, SOFTWARE_ICD);
  if (!fs.existsSync(icd)) return undefined;
  env.VK_ICD_FILENAMES = icd;
  return icd;
}

/**
 * `describe` when webgpu can run here, else `describe.skip` after one console.warn saying why
 * (once per process, so a skipped suite is visible in the test output, not silently green).
 */
export function describeWebGpu(name: string, body: () => void): void {
  const availability = prepareWebGpuForTests();
  if (availability.available) {
    describe(name, body);
    return;
  }
  if (!announced) {
    announced = true;
    console.warn(`webgpu tests skipped: ${availability.reason}`);
  }
  describe.skip(name, body);
}
