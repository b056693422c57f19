/**
 * Lets our kernels use WGSL's `f16` type through tfjs-webgpu's program compiler.
 *
 * WGSL requires `enable f16;` before any declaration, but tfjs-backend-webgpu 4.22 builds every
 * shader as its own header (uniform struct, bindings, index helpers) followed by the program's
 * `getUserCode()`, so a kernel that writes the directive in its user code compiles to a shader
 * where it comes too late: Dawn refuses it ("enable directives must come before all global
 * declarations") and the pipeline is invalid. tfjs has no hook for a prologue, so we wrap the
 * device's `createShaderModule` (tfjs's compileProgram calls it with the full source): a source
 * that contains the directive gets it moved to the top; every other shader passes unchanged.
 *
 * Installed by webgpu-device.ts on a device opened with `shader-f16`; without the feature the
 * directive is an error anyway (the f16 gate, webgpu-f16-support.ts, refuses before that).
 */

/** The directive our f16 kernels put at the start of their user code. */
export const ENABLE_F16 = 'enable f16;';

const DIRECTIVE = /^[ \t]*enable[ \t]+f16[ \t]*;[ \t]*\r?\n?/gm;

/** `code` with every `enable f16;` line removed and one put first; unchanged when it has none. */
export function hoistEnableF16(code: string): string {
  if (!code.includes('f16')) return code; // the common case: no scan of tfjs's own shaders
  const stripped = code.replace(DIRECTIVE, '');
  return stripped === code ? code : `${ENABLE_F16}\n${stripped}`;
}

interface ShaderModuleDevice {
  createShaderModule(descriptor: { code: string; label?: string }): unknown;
}

const HOOKED = Symbol.for('rewardkit.f16ShaderHook');

/** Wraps `device.createShaderModule` so that f16 shaders compile; idempotent. Returns whether it was installed now. */
export function installF16ShaderHook(device: ShaderModuleDevice): boolean {
  const d = device as ShaderModuleDevice & { [HOOKED]?: true };
  if (d[HOOKED]) return false;
  const original = d.createShaderModule.bind(device);
  d.createShaderModule = (descriptor) => original({ ...descriptor, code: hoistEnableF16(descriptor.code) });
  d[HOOKED] = true;
  return true;
}
