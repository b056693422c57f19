import { CollectiveError } from '@rewardkit/core';
import { createCollective, LocalCollective } from './index';

describe('LocalCollective', () => {
  it('is the identity for world size 1', async () => {
    const c = await createCollective({ algorithm: 'local', rank: 0, worldSize: 1, bindAddress: '', peerAddresses: [] });
    expect(c).toBeInstanceOf(LocalCollective);
    const buf = Float32Array.from([1, 2, 3]);
    await c.allReduce(buf);
    await c.broadcast(buf, 0);
    await c.barrier();
    expect(Array.from(buf)).toEqual([1, 2, 3]);
    await expect(c.broadcast(buf, 1)).rejects.toThrow(/broadcast root 1 is not a rank of a world of 1/);
    await c.close();
    await expect(c.allReduce(buf)).rejects.toThrow(CollectiveError);
  });

  it('refuses a larger world', async () => {
    await expect(createCollective({ algorithm: 'local', rank: 0, worldSize: 2, bindAddress: '', peerAddresses: [] })).rejects.toThrow(
      /local collective only serves world size 1, not 2/,
    );
  });
});
