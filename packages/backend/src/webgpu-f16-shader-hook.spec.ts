import { hoistEnableF16, installF16ShaderHook } from './webgpu-f16-shader-hook';
import { roundToF16 } from './webgpu-f16-round';

describe('enable f16 hoisted above tfjs-webgpu\'s shader header', () => {
  it('moves the directive first and leaves other shaders alone', () => {
    const header = 'struct Uniforms { n : i32, };\n@group(0) @binding(0) var<storage, read_write> result : array<f32>;\n';
    const user = '  enable f16;\n  var<workgroup> tile : array<f16, 64>;\n  fn main() {}\n';
    const out = hoistEnableF16(header + user);
    expect(out.startsWith('enable f16;\nstruct Uniforms')).toBe(true);
    expect(out.match(/enable f16;/g)).toHaveLength(1);
    expect(out).toContain('var<workgroup> tile : array<f16, 64>;');
    const plain = header + 'fn main() { let x = f32(1); }';
    expect(hoistEnableF16(plain)).toBe(plain);
    expect(hoistEnableF16('fn f16ish() {}')).toBe('fn f16ish() {}'); // mentions f16, no directive
  });

  it('wraps createShaderModule once', () => {
    const seen: string[] = [];
    const device = { createShaderModule: (d: { code: string }) => seen.push(d.code) };
    expect(installF16ShaderHook(device)).toBe(true);
    expect(installF16ShaderHook(device)).toBe(false);
    device.createShaderModule({ code: 'struct U { a : i32, };\nenable f16;\nfn main() {}' });
    expect(seen).toEqual(['enable f16;\nstruct U { a : i32, };\nfn main() {}']);
  });
});

describe('roundToF16 (the f16 kernels\' test reference)', () => {
  it('rounds to nearest even, overflows to Inf, keeps subnormals', () => {
    expect(roundToF16(1 / 3)).toBe(0.333251953125);
    expect(roundToF16(1 + 2 ** -11)).toBe(1); // a tie: to the even neighbour
    expect(roundToF16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(roundToF16(2049)).toBe(2048);
    expect(roundToF16(2051)).toBe(2052);
    expect(roundToF16(65519)).toBe(65504);
    expect(roundToF16(65520)).toBe(Infinity);
    expect(roundToF16(-1e6)).toBe(-Infinity);
    expect(roundToF16(6e-5)).toBe(0.00006002187728881836);
    expect(roundToF16(2 ** -25)).toBe(0); // half the smallest subnormal: a tie to 0
    expect(roundToF16(3 * 2 ** -25)).toBe(2 ** -23);
    expect(Number.isNaN(roundToF16(NaN))).toBe(true);
    expect(roundToF16(0.5)).toBe(0.5);
    expect(roundToF16(2 ** 15)).toBe(2 ** 15);
  });
});
