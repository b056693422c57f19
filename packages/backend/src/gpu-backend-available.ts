/**
 * Can a GPU backend run in this process? Lets a launcher give local workers one GPU each, or warn
 * once when `--gpus=N` will run on CPUs. Two ways: @tensorflow/tfjs-node-gpu loads (loading it is
 * the only reliable test: the package can be present with its native library missing, so a true
 * answer leaves it loaded), or the webgpu package (Dawn) is installed and the host has a PCI GPU.
 * The second does not start Dawn (that costs a Vulkan instance and, in the coordinator, would hold
 * a GPU it never uses); a worker whose Vulkan driver is missing then says so and falls back.
 */
import { probeNodeBackend, TFJS_NODE_GPU } from './node-backend';
import { listGpus } from './webgpu-placement';

function webgpuInstalled(): boolean {
  try {
    require.resolve('webgpu/package.json');
    return true;
  } catch {
    return false;
  }
}

export function gpuBackendAvailable(): boolean {
  return probeNodeBackend(TFJS_NODE_GPU).loaded || (webgpuInstalled() && listGpus().length > 0);
}
