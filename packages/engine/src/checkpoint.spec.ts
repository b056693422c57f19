import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointError, setLogSink } from '@rewardkit/core';
import { useBackend } from '@rewardkit/testing';
import { checkpointDir, latestCheckpoint, readCheckpoint, readCheckpointState, verifyCheckpoint, writeCheckpoint } from './checkpoint';
import { Replica } from './replica';
import { plainBradleyTerry, tinyModel } from './test-model.spec-helper';

const cfg = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };
const sampler = { epoch: 0, cursor: 0 };

/** What a damaged checkpoint looks like after a full disk, a copy cut short, or a crash outside our rename. */
const damage = {
  'truncated model.safetensors': (dir: string) => {
    const f = path.join(dir, 'model.safetensors');
    fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2));
  },
  'one flipped byte in optimizer.safetensors': (dir: string) => {
    const f = path.join(dir, 'optimizer.safetensors');
    const buf = fs.readFileSync(f);
    buf[buf.length - 3] ^= 0x40; // same size, header intact: only the digest can tell
    fs.writeFileSync(f, buf);
  },
  'half-written state.json': (dir: string) => {
    const f = path.join(dir, 'state.json');
    const text = fs.readFileSync(f, 'utf8');
    fs.writeFileSync(f, text.slice(0, Math.floor(text.length / 2)));
  },
  'missing model.safetensors': (dir: string) => fs.rmSync(path.join(dir, 'model.safetensors')),
};

describe('checkpoint integrity', () => {
  useBackend('wasm');
  let runDir: string;
  let warnings: string[];
  let replica: Replica;
  beforeEach(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-ckpt-'));
    warnings = [];
    setLogSink((level, line) => level === 'warn' && warnings.push(line));
    replica = new Replica(tinyModel(40), plainBradleyTerry, cfg);
  });
  afterEach(() => {
    setLogSink(undefined);
    replica.model.dispose();
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  /** Two checkpoints with different weights, so that which one was restored shows. */
  const twoCheckpoints = () => {
    writeCheckpoint(runDir, replica, { step: 4, sampler, meta: {} });
    const at4 = Float32Array.from(replica.theta);
    replica.restore({ theta: at4.map((x) => x + 1) });
    writeCheckpoint(runDir, replica, { step: 8, sampler, meta: {} });
    return at4;
  };

  it('records the size and SHA-256 of each tensor file in state.json', () => {
    const dir = writeCheckpoint(runDir, replica, { step: 3, sampler, meta: {} });
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    for (const name of ['model.safetensors', 'optimizer.safetensors']) {
      const buf = fs.readFileSync(path.join(dir, name));
      expect(state.files[name]).toEqual({ bytes: buf.length, sha256: crypto.createHash('sha256').update(buf).digest('hex') });
    }
    expect(verifyCheckpoint(dir).step).toBe(3);
  });

  it.each(Object.entries(damage))('refuses a checkpoint with a %s, naming the file, with a CheckpointError', (what, harm) => {
    const dir = writeCheckpoint(runDir, replica, { step: 3, sampler, meta: {} });
    harm(dir);
    const file = what.split(' ').at(-1)!;
    for (const read of [() => readCheckpoint(dir, replica), () => readCheckpointState(dir), () => verifyCheckpoint(dir)]) {
      let err: unknown;
      try {
        read();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toContain(path.join(dir, file));
      expect((err as Error).message).toMatch(/damaged|cannot read/);
    }
  });

  it.each(Object.entries(damage))('latestCheckpoint falls back to the previous intact checkpoint, with a warning, past a %s', (what, harm) => {
    const at4 = twoCheckpoints();
    harm(checkpointDir(runDir, 8));
    expect(latestCheckpoint(runDir)).toBe(checkpointDir(runDir, 4));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`step-000008.*${what.split(' ').at(-1)!.replace('.', '\\.')}.*falling back to step-000004`));
    expect(readCheckpoint(latestCheckpoint(runDir)!, replica).step).toBe(4);
    expect(Array.from(replica.theta)).toEqual(Array.from(at4));
  });

  it('says so when no intact checkpoint is left', () => {
    twoCheckpoints();
    damage['truncated model.safetensors'](checkpointDir(runDir, 8));
    damage['half-written state.json'](checkpointDir(runDir, 4));
    expect(latestCheckpoint(runDir)).toBeUndefined();
    expect(warnings[1]).toMatch(/step-000004.*state\.json is damaged.*no earlier checkpoint is left/);
  });

  it('still reads a version-1 checkpoint (written before digests were recorded)', () => {
    const dir = writeCheckpoint(runDir, replica, { step: 2, sampler, meta: { note: 'old' } });
    const file = path.join(dir, 'state.json');
    const { files: _files, ...v1 } = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...v1, version: 1 }));
    expect(readCheckpoint(dir, replica)).toEqual({ step: 2, sampler, meta: { note: 'old' } });
  });
});
