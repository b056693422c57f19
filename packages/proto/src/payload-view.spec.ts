import * as zmq from 'zeromq';
import os from 'node:os';
import path from 'node:path';
import { decodeMessage, encodeMessage, float32View, int32View, typedView } from './index';

describe('payload views', () => {
  it('views aligned frames without copying', () => {
    const buf = Buffer.alloc(16);
    const v = int32View(buf);
    v[1] = 7;
    expect(buf.readInt32LE(4)).toBe(7);
    expect(float32View(buf).buffer).toBe(buf.buffer);
  });

  it('copies unaligned frames (a typed array cannot start mid-element)', () => {
    const backing = Buffer.alloc(13);
    const frame = backing.subarray(1, 13);
    frame.writeInt32LE(-5, 0);
    frame.writeFloatLE(2.5, 4);
    const ints = int32View(frame);
    expect(ints.buffer).not.toBe(backing.buffer);
    expect(ints[0]).toBe(-5);
    expect(float32View(frame)[1]).toBe(2.5);
    expect(typedView(frame, 'DTYPE_UINT8')).toBe(frame);
  });

  it('frames received over ZeroMQ are aligned, so views over them are free', async () => {
    const address = `ipc://${path.join(os.tmpdir(), `rk-proto-${process.pid}-${Date.now()}`)}`;
    const pull = new zmq.Pull();
    const push = new zmq.Push();
    try {
      await pull.bind(address);
      push.connect(address);
      const margins = Float32Array.from({ length: 1000 }, (_, i) => i / 4);
      const odd = Int32Array.from([1, 2, 3]); // small: zeromq.js copies frames of 128 bytes or less
      await push.send(
        encodeMessage(
          {
            body: 'shutdown',
            shutdown: { reason: '' },
            payloads: [
              { name: 'm', dtype: 'DTYPE_FLOAT32', shape: [1000] },
              { name: 'o', dtype: 'DTYPE_INT32', shape: [3] },
            ],
          },
          [margins, odd],
        ),
      );
      const { payloads } = decodeMessage(await pull.receive());
      for (const p of payloads) expect(p.byteOffset % 4).toBe(0);
      const view = float32View(payloads[0]);
      expect(view.buffer).toBe(payloads[0].buffer);
      expect(Array.from(view)).toEqual(Array.from(margins));
      expect(Array.from(int32View(payloads[1]))).toEqual([1, 2, 3]);
    } finally {
      push.linger = 0;
      push.close();
      pull.close();
    }
  });
});
