import {
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeMessage,
  encodeMessage,
  ENVELOPE_BODY_CASES,
  envelopeType,
  ProtocolError,
  PROTOCOL_VERSION,
  type EnvelopeBodyMap,
  type EnvelopeInput,
} from './index';

// One non-default instance of every body type; the Record type makes a new case a compile error here.
const SAMPLES: { [K in keyof EnvelopeBodyMap]: EnvelopeBodyMap[K] } = {
  hello: {
    jobId: 'job-7',
    protocolVersion: PROTOCOL_VERSION,
    token: 's3cret',
    workerId: 'worker-2',
    pid: 4242,
    hostname: 'node-a',
    backend: 'wasm',
    collectiveAddress: 'tcp://127.0.0.1:41000',
  },
  welcome: {
    rank: 1,
    worldSize: 3,
    ringAddresses: ['ipc:///tmp/a', 'ipc:///tmp/b', 'ipc:///tmp/c'],
    runConfigJson: '{"train":{"steps":10}}',
    restoreDir: 'runs/x/step-000100',
    collectiveAlgorithm: 'ring',
    chunkBytes: 1 << 20,
    collectiveTimeoutMs: 30000,
    generation: 2,
  },
  shard: { step: 5, units: 11, rows: 30, width: 64, learningRate: 0.003 },
  stepResult: {
    step: 5,
    pairs: 32,
    gradNorm: 1.5,
    loss: 0.625,
    accuracy: 0.5625,
    count: 32,
    computeMs: 812.5,
    allreduceMs: 12.25,
    skipped: true,
    lossScale: 2048,
  },
  heartbeat: {},
  checkpoint: { step: 100, dir: 'runs/x', stateJson: '{"sampler":{"epoch":1,"cursor":3},"meta":{}}' },
  checkpointDone: { step: 100, dir: 'runs/x/step-000100', ok: false, error: 'disk full' },
  restore: { dir: 'runs/x/step-000100' },
  shutdown: { reason: 'done' },
  error: { code: 'E_COLLECTIVE', message: 'rank 3: timed out waiting for rank 2', step: 101 },
  refused: { reason: 'wrong token' },
  ready: { rank: 1, parameters: 115793, step: 100 },
  score: { requestId: 4, pairs: 0, width: 1, rows: 0 },
  scores: { requestId: 4, rank: 1, pairs: 0 },
  exportModel: { dir: 'runs/x/final', modelJson: '{"name":"bag-of-embeddings","config":{}}', infoJson: '{}' },
  exportDone: { dir: 'runs/x/final' },
};

describe('codec', () => {
  it('has a sample for every body case', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...ENVELOPE_BODY_CASES].sort());
  });

  it.each(ENVELOPE_BODY_CASES)('round-trips %s', (body) => {
    const input = { body, [body]: SAMPLES[body] } as unknown as EnvelopeInput;
    const frames = encodeMessage(input);
    expect(frames).toHaveLength(1);
    const { envelope, payloads } = decodeMessage(frames);
    expect(payloads).toHaveLength(0);
    expect(envelope).toEqual({ payloads: [], body, [body]: SAMPLES[body] });
  });

  it('fills defaults and sets only the body it carries', () => {
    const hello = { ...SAMPLES.hello, token: '' };
    const { envelope } = decodeMessage(encodeMessage({ body: 'hello', hello }));
    if (envelope.body !== 'hello') throw new Error('narrowing');
    expect(envelope.hello.token).toBe('');
    expect('welcome' in envelope).toBe(false);
  });

  it('carries payload frames beside the header and checks their sizes', () => {
    const ids = Int32Array.from([1, 2, 3, 4, 5, 6]);
    const w = Float32Array.from([0.5, -1]);
    const frames = encodeMessage(
      {
        body: 'shutdown',
        shutdown: { reason: 'x' },
        payloads: [
          { name: 'ids', dtype: 'DTYPE_INT32', shape: [2, 3] },
          { name: 'w', dtype: 'DTYPE_FLOAT32', shape: [2] },
        ],
      },
      [ids, w],
    );
    expect(frames).toHaveLength(3);
    const { envelope, payloads } = decodeMessage(frames);
    expect(envelope.payloads.map((p) => p.name)).toEqual(['ids', 'w']);
    expect(Array.from(new Int32Array(payloads[0].buffer, payloads[0].byteOffset, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    // Frames are sliced to a wrong size: the decoder names the payload, its shape and both sizes.
    expect(() => decodeMessage([frames[0], frames[1].subarray(4), frames[2]])).toThrow(
      /payload 0 \("ids"\): DTYPE_INT32 \[2, 3\] needs 24 bytes, frame has 20/,
    );
    expect(() => decodeMessage([frames[0], frames[1]])).toThrow(/header describes 2 payload frames, message has 1/);
  });

  it('copies payloads by default, so a sent array may be reused at once', () => {
    const ids = Int32Array.from([1, 2, 3]);
    const spec = { name: 'ids', dtype: 'DTYPE_INT32' as const, shape: [3] };
    const copied = encodeMessage({ body: 'shutdown', shutdown: { reason: '' }, payloads: [spec] }, [ids]);
    const shared = encodeMessage({ body: 'shutdown', shutdown: { reason: '' }, payloads: [spec] }, [ids], { copyPayloads: false });
    ids[0] = 99;
    expect(copied[1].readInt32LE(0)).toBe(1);
    expect(shared[1].readInt32LE(0)).toBe(99);
  });

  it('rejects payloads that disagree with their specs when encoding', () => {
    const spec = { name: 'm', dtype: 'DTYPE_INT32' as const, shape: [2] };
    const env = { body: 'shutdown' as const, shutdown: { reason: '' }, payloads: [spec] };
    expect(() => encodeMessage(env, [new Float32Array(2)])).toThrow(/declared DTYPE_INT32 but the array is Float32Array/);
    expect(() => encodeMessage(env, [new Int32Array(3)])).toThrow(/needs 8 bytes, frame has 12/);
    expect(() => encodeMessage(env, [])).toThrow(/header describes 1 payload frames, message has 0/);
    const bad = { ...env, payloads: [{ ...spec, dtype: 'DTYPE_UNSPECIFIED' as const }] };
    expect(() => encodeMessage(bad, [new Int32Array(2)])).toThrow(/invalid dtype DTYPE_UNSPECIFIED/);
  });

  it('rejects an oversized message before decoding it', () => {
    const big = new Uint8Array(1000);
    const env = {
      body: 'shutdown' as const,
      shutdown: { reason: 'x' },
      payloads: [{ name: 'blob', dtype: 'DTYPE_UINT8' as const, shape: [1000] }],
    };
    expect(() => encodeMessage(env, [big], { maxMessageBytes: 512 })).toThrow(ProtocolError);
    const frames = encodeMessage(env, [big]);
    expect(() => decodeMessage(frames, { maxMessageBytes: 512 })).toThrow(/message of \d+ bytes in 2 frames exceeds maxMessageBytes \(512\)/);
    expect(() => decodeMessage(frames, { maxMessageBytes: 2048 })).not.toThrow();
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBeGreaterThan(16 << 20);
  });

  it('rejects garbage and bodiless envelopes with a ProtocolError', () => {
    expect(() => decodeMessage([])).toThrow(/no header frame/);
    expect(() => decodeMessage([Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])])).toThrow(/frame 0 \(5 bytes\) is not a rewardkit Envelope/);
    // An envelope with no body: what a peer sends when its body type is newer than ours.
    const empty = Buffer.from(envelopeType().encode(envelopeType().create({})).finish());
    expect(() => decodeMessage([empty])).toThrow(/envelope has no body/);
    try {
      decodeMessage([empty]);
    } catch (err) {
      expect((err as ProtocolError).code).toBe('E_PROTOCOL');
    }
  });

  it('refuses to encode an envelope whose body field is missing', () => {
    expect(() => encodeMessage({ body: 'hello' } as unknown as EnvelopeInput)).toThrow(/body is "hello" but its "hello" field is missing/);
  });
});
