import { initBackend } from '@rewardkit/backend';

/** For a spec file: run its tests on `name` (wasm by default: what training uses here). */
export function useBackend(name: 'wasm' | 'cpu' = 'wasm'): void {
  beforeAll(async () => {
    await initBackend({ prefer: name });
  });
}
