import { CheckpointError } from '@rewardkit/core';
import { matchTensors, readIntoFlat } from './match-tensors';
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from './safetensors';

const f32 = (shape: number[], values: number[]): SafeTensor => ({ dtype: 'F32', shape, data: Float32Array.from(values) });
/** Through the real encoder and decoder, as a file would come. */
const file = (tensors: Record<string, SafeTensor>) => decodeSafetensors(encodeSafetensors(tensors)).tensors;

describe('matchTensors', () => {
  it('sorts every tensor into found, missing, misshapen, integer and unexpected', () => {
    const tensors = file({
      'm.a': f32([2], [1, 2]),
      'm.b': f32([2, 1], [3, 4]),
      'm.c': { dtype: 'I32', shape: [1], data: Int32Array.from([7]) },
      'm.extra': f32([1], [0]),
      'v.a': f32([2], [5, 6]),
    });
    const m = matchTensors(tensors, [
      { name: 'a', shape: [2] },
      { name: 'b', shape: [1, 2] },
      { name: 'c', shape: [1] },
      { name: 'd', shape: [3] },
    ], { prefix: 'm.' });
    expect(Array.from(m.found.get('a')!)).toEqual([1, 2]);
    expect(m.missing).toEqual(['d']);
    expect(m.misshapen).toEqual([{ name: 'b', shape: [2, 1], expected: [1, 2] }]);
    expect(m.notFloat).toEqual([{ name: 'c', dtype: 'I32' }]);
    expect(m.unexpected).toEqual(['m.extra']); // v.* is another prefix's business
  });
});

describe('readIntoFlat', () => {
  const slots = [
    { name: 'w', shape: [2, 2], offset: 0 },
    { name: 'b', shape: [1], offset: 4 },
  ];

  it('copies each tensor to its offset', () => {
    const target = new Float32Array(5);
    readIntoFlat(file({ b: f32([1], [9]), w: f32([2, 2], [1, 2, 3, 4]) }), slots, target, { source: 'x.safetensors' });
    expect(Array.from(target)).toEqual([1, 2, 3, 4, 9]);
  });

  it('names the file, the tensor and both shapes', () => {
    const target = new Float32Array(5);
    expect(() => readIntoFlat(file({ w: f32([2, 2], [1, 2, 3, 4]) }), slots, target, { source: 'x.safetensors' })).toThrow(
      new CheckpointError('x.safetensors: missing tensor "b"'),
    );
    expect(() =>
      readIntoFlat(file({ 'm.w': f32([4], [1, 2, 3, 4]), 'm.b': f32([1], [0]) }), slots, target, { source: 'o.safetensors', prefix: 'm.', hint: ' (changed?)' }),
    ).toThrow('o.safetensors: tensor "m.w" has shape [4], the model expects [2,2] (changed?)');
  });
});
