import { ConfigError } from '@rewardkit/core';
import { assertF16Compute, f16ComputeRefusal } from './webgpu-f16-support';

const deviceWith = (features: string[]) => ({ device: { features: new Set(features), adapterInfo: { description: 'Test GPU 9000' } } });

describe('f16 compute gate', () => {
  it('refuses another backend, naming it', () => {
    expect(f16ComputeRefusal('wasm', {})).toMatch(/needs the webgpu backend .* this run uses 'wasm'/);
    expect(() => assertF16Compute('cpu', {})).toThrow(ConfigError);
  });

  it('refuses a device without shader-f16, naming the adapter', () => {
    expect(f16ComputeRefusal('webgpu', deviceWith(['timestamp-query']))).toMatch(/shader-f16 feature, which Test GPU 9000 does not offer/);
    expect(() => assertF16Compute('webgpu', {})).toThrow(/shader-f16/);
  });

  it('passes a device with shader-f16', () => {
    expect(f16ComputeRefusal('webgpu', deviceWith(['shader-f16']))).toBeUndefined();
    expect(() => assertF16Compute('webgpu', deviceWith(['shader-f16', 'timestamp-query']))).not.toThrow();
  });
});

// On lavapipe the device really is opened with shader-f16: checked in webgpu-upload.spec.ts, which
// already holds a webgpu backend (a spec that only opens and closes Dawn crashes lavapipe at exit).
