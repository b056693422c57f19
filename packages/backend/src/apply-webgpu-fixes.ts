/**
 * The one place the webgpu kernel fixes are registered (none needed so far: each op the models
 * and the loss use is checked against cpu in webgpu-ops.spec.ts). A fix goes in its own
 * `webgpu-<name>.ts` with the test that shows the stock kernel wrong, as the wasm ones do.
 */

/** Registers every webgpu fix; idempotent. Returns one short label per fix in place. */
export function applyWebGpuFixes(): string[] {
  return [];
}
