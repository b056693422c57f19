/**
 * Whether rewardkit's webgpu kernels compute in half precision (f16 operands, f32 accumulation
 * and outputs): read by the tiled matMul and the fused attention each time they build a program,
 * set only through `setWebGpuF16Compute` (webgpu-f16-support.ts), which checks the device first.
 * A module of its own so that the kernels and the switch do not import each other.
 */
let f16 = false;

export function webGpuF16ComputeOn(): boolean {
  return f16;
}

/** The switch's setter: callers go through setWebGpuF16Compute, which gates and installs the kernels. */
export function setF16ComputeFlag(on: boolean): void {
  f16 = on;
}
