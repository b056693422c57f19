import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HARDWARE_ENV, prepareWebGpuForTests, SOFTWARE_ICD, softwareAdapterWhenNoGpu } from './webgpu-test-adapter';

const hasLoader = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) =>
  fs.existsSync(path.join(d, 'libvulkan.so.1')),
);
const withLoader = hasLoader && process.platform === 'linux' && process.arch === 'x64' ? it : it.skip;

describe('prepareWebGpuForTests', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-vk-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  withLoader('without the software ICD and without a hardware flag: unavailable, and says which script sets it up', () => {
    const env: NodeJS.ProcessEnv = {};
    const real: NodeJS.ProcessEnv = {};
    const got = prepareWebGpuForTests(env, root, real);
    expect(got).toEqual({ available: false, reason: expect.stringContaining('tools/scripts/setup-software-vulkan.sh') });
    expect(env.VK_ICD_FILENAMES).toBeUndefined();
    expect(real.VK_ICD_FILENAMES).toBeUndefined();
  });

  withLoader('with the software ICD: points both environments at it', () => {
    fs.mkdirSync(path.join(root, path.dirname(SOFTWARE_ICD)), { recursive: true });
    fs.writeFileSync(path.join(root, SOFTWARE_ICD), '{}');
    const env: NodeJS.ProcessEnv = {};
    const real: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: '/run/user/7' };
    expect(prepareWebGpuForTests(env, root, real).available).toBe(true);
    expect(env.VK_ICD_FILENAMES).toBe(path.join(root, SOFTWARE_ICD));
    expect(real.VK_ICD_FILENAMES).toBe(path.join(root, SOFTWARE_ICD));
    expect(env.XDG_RUNTIME_DIR).toBe('/tmp');
    expect(real.XDG_RUNTIME_DIR).toBe('/run/user/7'); // an existing one is kept
  });

  withLoader('an explicit VK_ICD_FILENAMES or the hardware flag is left alone', () => {
    fs.mkdirSync(path.join(root, path.dirname(SOFTWARE_ICD)), { recursive: true });
    fs.writeFileSync(path.join(root, SOFTWARE_ICD), '{}');
    const mine: NodeJS.ProcessEnv = { VK_ICD_FILENAMES: '/etc/vulkan/icd.d/nvidia_icd.json' };
    expect(prepareWebGpuForTests(mine, root, {})).toEqual({ available: true, via: expect.stringContaining('nvidia_icd.json') });
    expect(mine.VK_ICD_FILENAMES).toBe('/etc/vulkan/icd.d/nvidia_icd.json');
    const hw: NodeJS.ProcessEnv = { [HARDWARE_ENV]: '1' };
    expect(prepareWebGpuForTests(hw, root, {}).available).toBe(true);
    expect(hw.VK_ICD_FILENAMES).toBeUndefined();
  });
});

describe('softwareAdapterWhenNoGpu (--backend=webgpu on a machine without a GPU)', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-vk-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const withIcd = () => {
    fs.mkdirSync(path.dirname(path.join(root, SOFTWARE_ICD)), { recursive: true });
    fs.writeFileSync(path.join(root, SOFTWARE_ICD), '{}');
  };

  it('points Vulkan at the software driver only when there is no GPU, no choice made, and the driver is set up', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(softwareAdapterWhenNoGpu(0, env, root)).toBeUndefined(); // not set up
    withIcd();
    expect(softwareAdapterWhenNoGpu(1, env, root)).toBeUndefined(); // a GPU: leave Vulkan alone
    expect(env.VK_ICD_FILENAMES).toBeUndefined();
    expect(softwareAdapterWhenNoGpu(0, { VK_DRIVER_FILES: '/x.json' }, root)).toBeUndefined(); // the user chose
    expect(softwareAdapterWhenNoGpu(0, env, root)).toBe(path.join(root, SOFTWARE_ICD));
    expect(env.VK_ICD_FILENAMES).toBe(path.join(root, SOFTWARE_ICD));
  });
});
