import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEVICE_SELECT_MANIFEST, driPrimeTag, listGpus, planPlacement, type PciGpu } from './webgpu-placement';

/** A fake /sys/bus/pci/devices with the given (address, class, vendor) entries. */
function fakeSysfs(root: string, devices: [string, string, string][]): string {
  const dir = path.join(root, 'devices');
  for (const [address, cls, vendor] of devices) {
    fs.mkdirSync(path.join(dir, address), { recursive: true });
    fs.writeFileSync(path.join(dir, address, 'class'), `${cls}\n`);
    fs.writeFileSync(path.join(dir, address, 'vendor'), `${vendor}\n`);
  }
  return dir;
}

const TWO: PciGpu[] = [
  { address: '0000:17:00.0', vendor: '0x10de' },
  { address: '0000:3d:00.0', vendor: '0x10de' },
];

describe('webgpu placement', () => {
  let root: string;
  let dataDir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-place-'));
    dataDir = path.join(root, 'share');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const withLayer = () => {
    fs.mkdirSync(path.dirname(path.join(dataDir, DEVICE_SELECT_MANIFEST)), { recursive: true });
    fs.writeFileSync(path.join(dataDir, DEVICE_SELECT_MANIFEST), '{}');
  };

  it("lists GPU vendors' display controllers (VGA and 3D) in PCI bus order, nothing else", () => {
    const sysfs = fakeSysfs(root, [
      ['0000:3d:00.0', '0x030200', '0x10de'],
      ['0000:00:02.0', '0x030000', '0x1234'], // a VM's emulated VGA
      ['0000:00:03.0', '0x020000', '0x1af4'], // a network card
      ['0000:17:00.0', '0x030200', '0x10de'],
      ['0000:05:00.0', '0x030000', '0x1002'],
    ]);
    expect(listGpus(sysfs).map((g) => g.address)).toEqual(['0000:05:00.0', '0000:17:00.0', '0000:3d:00.0']);
    expect(listGpus(path.join(root, 'missing'))).toEqual([]);
  });

  it("names a GPU as the device-select layer's DRI_PRIME tag", () => {
    expect(driPrimeTag('0000:3d:00.0')).toBe('pci-0000_3d_00_0');
  });

  it('worker i gets GPU i through the layer, ahead of the existing data dirs', () => {
    withLayer();
    const plan = planPlacement(1, TWO, dataDir, { XDG_DATA_DIRS: '/usr/share' });
    expect(plan.env).toEqual({
      DRI_PRIME: 'pci-0000_3d_00_0',
      MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1',
      XDG_DATA_DIRS: `${dataDir}:/usr/share`,
    });
    expect(plan.note).toContain('worker 1 on GPU 1 of 2 (PCI 0000:3d:00.0');
    expect(plan.warning).toBeUndefined();
    // the loader's default data dirs when XDG_DATA_DIRS is unset
    expect(planPlacement(0, TWO, dataDir, {}).env.XDG_DATA_DIRS).toBe(`${dataDir}:/usr/local/share:/usr/share`);
  });

  it('more workers than GPUs: shares GPU i mod N and says how many GPUs there are', () => {
    withLayer();
    const plan = planPlacement(3, TWO, dataDir, {});
    expect(plan.env.DRI_PRIME).toBe('pci-0000_3d_00_0');
    expect(plan.warning).toBe('worker 3 asked for GPU 3 but this host has 2 GPU(s): it shares GPU 1 with worker 1');
  });

  it('without the layer: places nothing and says where the layer was looked for', () => {
    const plan = planPlacement(0, TWO, dataDir, {});
    expect(plan.env).toEqual({});
    expect(plan.warning).toContain(path.join(dataDir, DEVICE_SELECT_MANIFEST));
    expect(plan.warning).toContain('setup-software-vulkan.sh');
  });

  it('no GPU (a software adapter): nothing to place, no warning', () => {
    withLayer();
    expect(planPlacement(0, [], dataDir, {})).toEqual({ env: {}, note: 'worker 0: no PCI GPU on this host, nothing to place' });
  });
});
