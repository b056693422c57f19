/**
 * Failures the coordinator relies on being loud and specific: a silent peer (timeout naming rank and
 * peer), ranks that disagree about the call (mismatch naming both ranks), misuse (overlapping calls),
 * and stragglers from an older ring generation (dropped, as garbage is: link-auth.spec.ts).
 */
import { CollectiveError, setLogSink } from '@rewardkit/core';
import * as zmq from 'zeromq';
import { bindCollective, createCollective } from './create-collective';
import { encodeHeader, OpKind } from './frame-header';
import { bindAddressFor } from './testing/addresses';
import { withRanks } from './testing/spawn-ranks';

describe('collective failures', () => {
  it.each(['ring', 'star'] as const)('%s: a receive that waits too long names the rank and the peer', async (algorithm) => {
    await withRanks({ worldSize: 2, algorithm, transport: 'ipc', timeoutMs: 200 }, async ([r0]) => {
      const started = Date.now();
      const err = await r0.allReduce(new Float32Array(10)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CollectiveError);
      expect((err as CollectiveError).code).toBe('E_COLLECTIVE');
      expect((err as Error).message).toMatch(/^rank 0, allReduce #0 \(10 elements\), .*timed out after 200 ms waiting for rank 1/);
      expect(Date.now() - started).toBeLessThan(5000);
      // Broken for good: messages of the failed call may still arrive.
      await expect(r0.barrier()).rejects.toThrow(/collective is broken by an earlier failure/);
    });
  });

  it('ring: ranks with different lengths both fail, naming each other and both lengths', async () => {
    await withRanks({ worldSize: 2, algorithm: 'ring', transport: 'tcp', timeoutMs: 10_000 }, async ([r0, r1]) => {
      const [e0, e1] = await Promise.all([r0.allReduce(new Float32Array(10)).catch((e) => e), r1.allReduce(new Float32Array(12)).catch((e) => e)]);
      expect((e0 as Error).message).toMatch(/mismatched collective calls between rank 0 and rank 1: length: rank 0 has 10 elements, rank 1 has 12/);
      expect((e1 as Error).message).toMatch(/length: rank 1 has 12 elements, rank 0 has 10/);
    });
  });

  it('star: a different operation on one rank is named', async () => {
    await withRanks({ worldSize: 3, algorithm: 'star', transport: 'ipc', timeoutMs: 500 }, async ([r0, r1, r2]) => {
      const results = await Promise.all([
        r0.allReduce(new Float32Array(4)).catch((e) => e),
        r1.allReduce(new Float32Array(4)).catch((e) => e),
        r2.barrier().catch((e) => e),
      ]);
      expect((results[0] as Error).message).toMatch(/operation: rank 0 is in allReduce, rank 2 is in barrier/);
    });
  });

  it('ring: a different chunk size is named', async () => {
    const a = await bindCollective(bindAddressFor('ipc'));
    const b = await bindCollective(bindAddressFor('ipc'));
    const peerAddresses = [a.address, b.address];
    const r0 = a.connect({ algorithm: 'ring', rank: 0, worldSize: 2, peerAddresses, chunkBytes: 64, timeoutMs: 10_000 });
    const r1 = b.connect({ algorithm: 'ring', rank: 1, worldSize: 2, peerAddresses, chunkBytes: 128, timeoutMs: 10_000 });
    try {
      const [e0] = await Promise.all([r0.allReduce(new Float32Array(100)).catch((e) => e), r1.allReduce(new Float32Array(100)).catch((e) => e)]);
      expect((e0 as Error).message).toMatch(/chunk size: rank 0 uses 16 elements per chunk, rank 1 uses 32/);
    } finally {
      await r0.close();
      await r1.close();
    }
  });

  it('overlapping calls on one rank are refused', async () => {
    await withRanks({ worldSize: 2, algorithm: 'ring', transport: 'ipc', timeoutMs: 10_000 }, async ([r0, r1]) => {
      const first = r0.allReduce(new Float32Array(8));
      await expect(r0.barrier()).rejects.toThrow(/rank 0: barrier #1 called while allReduce #0 \(8 elements\) is in progress/);
      await Promise.all([first, r1.allReduce(new Float32Array(8))]);
    });
  });

  it('drops stragglers from an older generation, and garbage', async () => {
    const a = await bindCollective(bindAddressFor('tcp'));
    const b = await bindCollective(bindAddressFor('tcp'));
    const peerAddresses = [a.address, b.address];
    const tuning = { algorithm: 'ring' as const, worldSize: 2, peerAddresses, timeoutMs: 10_000, generation: 3 };
    const r0 = a.connect({ ...tuning, rank: 0 });
    const r1 = b.connect({ ...tuning, rank: 1 });
    const intruder = new zmq.Push({ linger: 0 });
    const logged: string[] = [];
    setLogSink((_level, line) => logged.push(line));
    try {
      intruder.connect(a.address);
      const stale = encodeHeader({ generation: 2, opSeq: 0, kind: OpKind.AllReduce, step: 0, segment: 1, chunk: 0, fromRank: 1, worldSize: 2, length: 2, chunkElems: 1 << 18, root: 0 });
      await intruder.send([stale, Buffer.from(new Float32Array([1e9]).buffer)]);
      const bufs = [Float32Array.from([1, 2]), Float32Array.from([10, 20])];
      // Rank 1 joins only once rank 0 has seen (and dropped) the straggler, whose connection may lag.
      const first = r0.allReduce(bufs[0]);
      for (let waited = 0; logged.length === 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      await Promise.all([first, r1.allReduce(bufs[1])]);
      expect(Array.from(bufs[0])).toEqual([11, 22]);
      expect(Array.from(bufs[1])).toEqual([11, 22]);
      expect(logged).toEqual(['[collective:rank0] WARN dropped a message from rank 1 of an older ring (generation 2 < 3)']);

      // garbage no longer fails the call (a stranger could end any job with one frame): dropped, logged
      await intruder.send([Buffer.from('hello')]);
      const barrier = r0.barrier();
      for (let waited = 0; logged.length === 1 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      await Promise.all([barrier, r1.barrier()]);
      expect(logged[1]).toBe('[collective:rank0] WARN dropped a 1-frame message that is not a collective frame (5 bytes) while waiting for rank 1');
    } finally {
      setLogSink(undefined);
      intruder.close();
      await r0.close();
      await r1.close();
    }
  });

  it('rejects bad options with CollectiveErrors', async () => {
    const base = { rank: 0, worldSize: 2, bindAddress: bindAddressFor('ipc'), peerAddresses: ['ipc:///tmp/x', 'ipc:///tmp/y'] };
    await expect(createCollective({ ...base, algorithm: 'tree' as never })).rejects.toThrow(/unknown collective algorithm "tree" \(known: ring, star, local\)/);
    await expect(createCollective({ ...base, algorithm: 'ring', rank: 2 })).rejects.toThrow(/rank 2 of world size 2/);
    await expect(createCollective({ ...base, algorithm: 'ring', peerAddresses: ['ipc:///tmp/x'] })).rejects.toThrow(/1 peer addresses for a world of 2/);
    await expect(createCollective({ ...base, algorithm: 'ring', chunkBytes: 2 })).rejects.toThrow(/chunkBytes must be at least 4/);
    await expect(createCollective({ ...base, algorithm: 'ring', bindAddress: 'nope://x' })).rejects.toThrow(/cannot bind the collective socket at nope:\/\/x/);
    await expect(createCollective({ ...base, algorithm: 'ring', bindAddress: 'inproc://x' })).rejects.toThrow(/inproc is not supported/);
    await withRanks({ worldSize: 2, algorithm: 'ring', transport: 'ipc' }, async ([r0]) => {
      await expect(r0.broadcast(new Float32Array(1), 5)).rejects.toThrow(/rank 0: broadcast root 5 is not a rank of a world of 2/);
    });
  });

  it('a call after close is refused', async () => {
    await withRanks({ worldSize: 2, algorithm: 'star', transport: 'ipc' }, async ([r0]) => {
      await r0.close();
      await expect(r0.allReduce(new Float32Array(1))).rejects.toThrow(/rank 0, allReduce #0 \(1 elements\): collective is closed/);
    });
  });
});
