import { assemble, forLoop, I32, op, sleb, uleb } from './wasm-simd-assembler';

const wasm = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => void> }; Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;

describe('wasm assembler', () => {
  it('encodes LEB128 as the spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('assembles a module that imports a memory and runs a loop over it', () => {
    // fill(at, n): memory[at + 4i] = i as float32 for i < n (f32 from i32 by convert, 0xb2)
    const [at, n, i] = [0, 1, 2];
    const body = forLoop(i, 0, op.get(n), 1, [...op.get(at), ...op.get(i), ...op.i32(4), ...op.mul, ...op.add, ...op.get(i), 0xb2, ...op.f32Store()]);
    const memory = new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(new wasm.Module(assemble([{ name: 'fill', params: [I32, I32], locals: [I32], body }])), { env: { memory } });
    instance.exports.fill(64, 5);
    expect(Array.from(new Float32Array(memory.buffer, 64, 6))).toEqual([0, 1, 2, 3, 4, 0]);
  });
});
