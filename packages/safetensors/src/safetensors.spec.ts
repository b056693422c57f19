import { decodeSafetensors } from './safetensors';

/** A one-tensor file of raw 16-bit words, as torch writes it. */
function file16(dtype: 'F16' | 'BF16', words: number[]): Buffer {
  const header = Buffer.from(JSON.stringify({ t: { dtype, shape: [words.length], data_offsets: [0, 2 * words.length] } }));
  const out = Buffer.alloc(8 + header.length + 2 * words.length);
  out.writeBigUInt64LE(BigInt(header.length), 0);
  header.copy(out, 8);
  words.forEach((w, i) => out.writeUInt16LE(w, 8 + header.length + 2 * i));
  return out;
}

describe('decodeSafetensors half-precision upcast', () => {
  it('reads BF16 exactly (values from torch.tensor(..., dtype=torch.bfloat16).view(torch.int16))', () => {
    // 1, -3, 0.15625, 3.140625 (pi rounded to bf16), 1e-40 (subnormal), -inf
    const t = decodeSafetensors(file16('BF16', [0x3f80, 0xc040, 0x3e20, 0x4049, 0x0001, 0xff80])).tensors.get('t')!;
    expect(t.dtype).toBe('BF16');
    expect(Array.from(t.data)).toEqual([1, -3, 0.15625, 3.140625, 2 ** -133, -Infinity]);
  });

  it('reads F16 exactly', () => {
    const t = decodeSafetensors(file16('F16', [0x3c00, 0xc000, 0x3555, 0x0001])).tensors.get('t')!;
    expect(Array.from(t.data)).toEqual([1, -2, 0.333251953125, 2 ** -24]);
  });
});
